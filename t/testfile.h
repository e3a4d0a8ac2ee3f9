/*
 * testfile.h -- a file a unit test writes as an editor would.
 *
 * The users and tokens files' tests replace their file by hand: written
 * beside it (PATH.new, mode 0640), then renamed over it.
 */
#ifndef CHAT_TESTFILE_H
#define CHAT_TESTFILE_H

/* Replace the file at path with text; bails out if it cannot. */
void	testfile_write(const char *path, const char *text);

#endif
