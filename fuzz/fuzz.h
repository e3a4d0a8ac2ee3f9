/*
 * fuzz.h -- what the libFuzzer targets share: the entry point's
 * prototype and check(), which reports a broken property with its file
 * and line and aborts, so that libFuzzer keeps the input as a crash.
 * Unlike assert(), it stays on whatever NDEBUG says.
 */
#ifndef CHAT_FUZZ_H
#define CHAT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

#endif
