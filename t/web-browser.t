#!/usr/bin/env python3
# web-browser.t -- chat-web's page (web/static/) in a real browser: headless
# Chromium driven through Selenium, each browser user its own chromedriver,
# next to a line user on the TCP port.  Only what a person does is used:
# typing and clicking the page's elements (their data-test attributes), and
# what is asserted is what the page shows, read from its DOM.
#
#  - ann and ben log in through the page, nick on the line port; each page
#    lists the other two with their transports, nick's /users both of them;
#  - a broadcast typed by ann reaches ben's page and nick, nick's reaches
#    both pages;
#  - ben clicks ann in his users list and writes to her: the line is in
#    ann's @ben conversation (counted unread until she opens it), not in
#    "everyone", and nick does not get it; nick's /msg ann is only in her
#    @nick conversation;
#  - ann creates #team with the group buttons, nick joins, ann's line in
#    #team reaches nick and none of ben's conversations;
#  - after leaving #team, ann's line to it and a /msg to nobody are marked
#    failed with the server's words, which the status bar shows too;
#  - carol, a registered user, is asked her password; a wrong one is an
#    error in the status bar, the right one logs her in.
# A screenshot of ann's page is kept as t/web-browser.png in the build
# directory for a person to look at.
#
# Debian's python3-selenium is /usr/bin/python3's: under another python3
# (make check may find pyenv's) the test runs itself again under it.
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("CHAT_SRCDIR") or
                                os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "t"))
import chattest as T  # noqa: E402
import chattest_accounts as A  # noqa: E402

try:
    import selenium  # noqa: F401
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    T.skip_all("selenium is not installed (Debian's python3-selenium)")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    ElementClickInterceptedException, ElementNotInteractableException,
    StaleElementReferenceException, TimeoutException, WebDriverException)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service as DriverService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
                 if os.access(p, os.X_OK)), None)
WAIT = max(15.0, 3 * T.TIMEOUT)     # a page's deadline (browsers are slower)

# What the page shows, read in one go from the DOM (the lists are redrawn
# as events come, so elements found one by one may go stale).
JS_MESSAGES = """
return [...document.querySelectorAll('#messages [data-test=message]')].map(e => ({
    from: ((e.querySelector('.from') || {}).textContent || '').replace(/^<|>$/g, ''),
    text: (e.querySelector('.text') || {}).textContent || '',
    why: (e.querySelector('.why') || {}).textContent || '',
    cls: e.className.split(/\\s+/)}));
"""
JS_NOTICES = """
return [...document.querySelectorAll('#messages [data-test=notice]')].map(e => ({
    text: e.textContent, cls: e.className.split(/\\s+/)}));
"""
JS_CONVS = """
return [...document.querySelectorAll('[data-test=conversation]')].map(e => ({
    key: e.dataset.conversation,
    unread: (e.querySelector('[data-test=unread]') || {}).textContent || '',
    cls: e.className.split(/\\s+/)}));
"""
JS_USERS = """
return [...document.querySelectorAll('[data-test=users] [data-test=user]')].map(e => ({
    name: e.dataset.name,
    transport: (e.querySelector('.transport') || {}).textContent || '',
    cls: e.className.split(/\\s+/)}));
"""
JS_STATE = """
const st = document.querySelector('[data-test=status]');
const card = document.getElementById('login-view');
const pw = document.getElementById('password-row');
return {status: st.textContent, statusClass: st.className,
        loginShown: !card.hidden, passwordShown: !pw.hidden,
        loginStatus: document.getElementById('login-status').textContent,
        loginEnabled: !document.querySelector('[data-test=login]').disabled,
        me: document.getElementById('me').textContent,
        title: document.getElementById('conv-title').textContent};
"""


def check_browser():
    if CHROMIUM is None:
        T.skip_all("chromium is not installed (Debian's chromium)")
    if not os.access(CHROMEDRIVER, os.X_OK):
        T.skip_all("%s is not installed (Debian's chromium-driver)" % CHROMEDRIVER)


class Page:
    """One browser user: a headless Chromium of its own and its driver."""

    def __init__(self, svc, label, drivers):
        self.label = label
        self.profile = os.path.join(svc.dir, "chromium-" + label)
        opts = Options()
        opts.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--user-data-dir=" + self.profile, "--window-size=1200,800",
                    "--no-first-run", "--no-default-browser-check",
                    "--disable-gpu", "--disable-extensions", "--disable-sync",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-default-apps", "--password-store=basic",
                    "--mute-audio", "--disable-features=Translate,MediaRouter"):
            opts.add_argument(arg)
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = None
        last = None
        for attempt in range(3):    # the driver's port is picked free, then bound
            service = DriverService(CHROMEDRIVER, log_path=os.path.join(
                svc.dir, "chromedriver-%s-%d.log" % (label, attempt)),
                popen_kw={"start_new_session": True})
            try:
                self.driver = webdriver.Chrome(service=service, options=opts)
                break
            except WebDriverException as e:
                last = e
                try:
                    service.stop()
                except Exception:
                    pass
                if service.process is not None:
                    T._killpg(service.process)
        if self.driver is None:
            raise T.HarnessError("%s: chromium did not start: %s" % (label, last))
        drivers.append(self)
        # Should quit() not get to it, the service's stop kills the
        # driver's process group with everything in it.
        svc._extra.append(service.process)
        self.driver.set_page_load_timeout(WAIT)
        self.driver.set_script_timeout(WAIT)

    def console_errors(self):
        """The page's console messages of level SEVERE (script errors)."""
        return [e.get("message", "") for e in self.driver.get_log("browser")
                if e.get("level") == "SEVERE"]

    def quit(self):
        if self.driver is not None:
            d, self.driver = self.driver, None
            try:
                d.quit()
            except Exception:
                pass

    # -- reading the page --------------------------------------------------

    def js(self, script):
        return self.driver.execute_script(script)

    def messages(self):
        return self.js(JS_MESSAGES)

    def notices(self):
        return self.js(JS_NOTICES)

    def convs(self):
        return {c["key"]: c for c in self.js(JS_CONVS)}

    def users(self):
        return self.js(JS_USERS)

    def state(self):
        return self.js(JS_STATE)

    def current(self):
        for c in self.js(JS_CONVS):
            if "active" in c["cls"]:
                return c["key"]
        return None

    def wait(self, cond, timeout=WAIT):
        """cond(self) polled until true; its value, or None at the deadline."""
        def poll(_):
            try:
                return cond(self)
            except StaleElementReferenceException:
                return None
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(poll)
        except TimeoutException:
            return None

    def show(self, what=""):
        """The page's state as diagnostics."""
        try:
            s = self.state()
            T.diag("%s's page%s: status %r (%s), conversation %r, login card %s%s" % (
                self.label, " " + what if what else "", s["status"], s["statusClass"],
                s["title"], "shown: " + repr(s["loginStatus"]) if s["loginShown"] else "hidden",
                ", password asked" if s["passwordShown"] else ""))
            T.diag("  conversations: %s" % ", ".join(
                "%s%s" % (c["key"], "(%s)" % c["unread"] if c["unread"] else "")
                for c in self.convs().values()))
            T.diag("  users: %s" % ", ".join("%s/%s" % (u["name"], u["transport"])
                                              for u in self.users()))
            for m in self.messages():
                T.diag("  message <%s> %r [%s]%s" % (m["from"], m["text"], " ".join(m["cls"]),
                                                       " " + m["why"] if m["why"] else ""))
            for n in self.notices():
                T.diag("  notice %r" % n["text"])
        except Exception as e:
            T.diag("%s's page cannot be read: %s" % (self.label, e))

    def check(self, cond, desc, timeout=WAIT):
        """ok(cond comes true in time); the page in the diagnostics if not."""
        value = self.wait(cond, timeout)
        if not T.ok(value, desc):
            self.show()
        return value

    # -- acting on it --------------------------------------------------------

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def click(self, css, timeout=WAIT):
        """Click the element (found afresh until the click lands: lists are
        redrawn under it)."""
        def attempt(_):
            try:
                self.find(css).click()
                return True
            except (StaleElementReferenceException, ElementClickInterceptedException,
                    ElementNotInteractableException):
                return False
            except WebDriverException as e:
                if "no such element" in str(e):
                    return False
                raise
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(attempt)
        except TimeoutException:
            raise T.HarnessError("%s: cannot click %s" % (self.label, css))

    def type(self, css, text):
        box = self.find(css)
        box.clear()
        box.send_keys(text)

    def open(self, port):
        self.driver.get("http://127.0.0.1:%d/" % port)
        return self.wait(lambda p: p.js("return document.readyState") == "complete"
                         and p.state()["loginShown"] and p.find("[data-test=name]").is_displayed())

    def login(self, name):
        """Type the name, click login; True once the page says we are online."""
        self.type("[data-test=name]", name)
        self.click("[data-test=login]")
        return self.check(lambda p: (lambda s: not s["loginShown"] and s["me"] == name and
                                     s["status"] == "Online as " + name)(p.state()),
                          "%s logs in through the page" % name)

    def say(self, text):
        """Type a line in the shown conversation and click send."""
        self.type("[data-test=input]", text)
        self.click("[data-test=send]")

    def own_line(self, text, state):
        """Our line with text, in the shown conversation, in state
        (sent | failed)."""
        return self.wait(lambda p: next((m for m in p.messages() if m["text"] == text and
                                         "mine" in m["cls"] and state in m["cls"]), None))

    def switch(self, key):
        """Open a conversation by clicking it in the list."""
        self.click('[data-test=conversation][data-conversation="%s"]' % key)
        return self.wait(lambda p: p.current() == key and
                         p.state()["title"] == ("Everyone" if key == "everyone" else key))

    def all_messages(self):
        """Every conversation's messages {key: [message]}, each opened in
        turn (the page draws only the one shown); the shown one is opened
        again at the end."""
        shown = self.current()
        out = {}
        for key in list(self.convs()):
            if not self.switch(key):
                raise T.HarnessError("%s: cannot open the conversation %s" % (self.label, key))
            out[key] = self.messages()
        if shown is not None:
            self.switch(shown)
        return out


def has_message(page, sender, text):
    return next((m for m in page.messages() if m["from"] == sender and m["text"] == text), None)


def where(conversations, text):
    """The conversations holding a message with text."""
    return sorted(k for k, ms in conversations.items() if any(m["text"] == text for m in ms))


def logins(svc, port, drivers):
    t0 = time.monotonic()
    ann = Page(svc, "ann", drivers)
    ben = Page(svc, "ben", drivers)
    T.diag("two headless Chromiums started in %.1f s" % (time.monotonic() - t0))
    for p in (ann, ben):
        T.ok(p.open(port), "%s's browser loads the page (GET /) and shows the login card" % p.label)
    T.ok(ann.state()["status"] == "Not connected", "before logging in the status says Not connected")
    ann.login("ann")
    ben.login("ben")
    nick = svc.client("nick")
    nick.login("nick")

    want = {"ann": {"ben": "ws", "nick": "tcp"}, "ben": {"ann": "ws", "nick": "tcp"}}
    for p in (ann, ben):
        others = lambda p: {u["name"]: u["transport"] for u in p.users() if "self" not in u["cls"]}
        p.check(lambda p: others(p) == want[p.label],
                "%s's users list shows the other two with their transports %s" % (
                    p.label, ", ".join("%s (%s)" % kv for kv in sorted(want[p.label].items()))))
        me = [u["name"] for u in p.users() if "self" in u["cls"]]
        T.is_(me, [p.label], "%s's list marks %s's own entry as you" % (p.label, p.label))
    nick.send("/users")
    nick.expect(T.rx(r"^\* users \(3\): (?=.*\bann\b)(?=.*\bben\b)(?=.*\bnick\b)"),
                "nick's /users shows ann and ben", skip=True)
    return ann, ben, nick


def broadcasts(ann, ben, nick):
    ann.say("hello from ann's browser")
    T.ok(ann.own_line("hello from ann's browser", "sent"),
         "ann's broadcast is shown in her page and confirmed by the server")
    ben.check(lambda p: has_message(p, "ann", "hello from ann's browser"),
              "ann's broadcast appears in ben's page")
    nick.expect("<ann> hello from ann's browser", "and at nick on the line port", skip=True)
    nick.send("evening, browsers")
    for p in (ann, ben):
        p.check(lambda p: has_message(p, "nick", "evening, browsers"),
                "a line nick types appears in %s's page" % p.label)


def private(ann, ben, nick):
    ben.click('[data-test=user][data-name="ann"]')
    T.ok(ben.wait(lambda p: p.current() == "@ann" and p.state()["title"] == "@ann"),
         "clicking ann in ben's users list opens the conversation @ann")
    ben.say("just between us")
    T.ok(ben.own_line("just between us", "sent"),
         "ben's private line is shown in his @ann conversation, confirmed")
    ann.check(lambda p: p.convs().get("@ben", {}).get("unread") == "1",
              "ann's page gets a conversation @ben with an unread badge of 1")
    T.is_(ann.current(), "everyone", "ann still shows everyone")
    T.ok(not any(m["text"] == "just between us" for m in ann.messages()),
         "the private line is not in ann's everyone conversation")
    nick.expect_nothing("nick does not receive ben's private line")
    T.ok(ann.switch("@ben"), "ann opens @ben by clicking it")
    ann.check(lambda p: has_message(p, "ben", "just between us"),
              "the private line is in ann's @ben conversation")
    T.is_(ann.convs()["@ben"]["unread"], "", "opening it clears the unread badge")

    nick.send("/msg ann psst from nick")
    ann.check(lambda p: p.convs().get("@nick", {}).get("unread") == "1",
              "nick's /msg makes an @nick conversation in ann's page, unread 1")
    seen = ann.all_messages()
    T.is_(where(seen, "psst from nick"), ["@nick"],
          "nick's /msg is only in ann's @nick conversation (of %s)" % ", ".join(sorted(seen)))
    T.is_(where(seen, "just between us"), ["@ben"], "ben's line only in her @ben conversation")
    T.ok(next((m for m in seen.get("@nick", []) if m["from"] == "nick"), None),
         "the @nick line is shown as nick's")
    T.is_(where(ben.all_messages(), "psst from nick"), [],
          "ben's page has nick's private line nowhere")
    nick.expect_nothing("nick gets no answer to a /msg that went out")


def groups(ann, ben, nick):
    ann.switch("everyone")
    ben.switch("everyone")
    ann.type("[data-test=group-name]", "team")
    ann.click("[data-test=create-group]")
    ann.check(lambda p: "Created #team" in p.state()["status"],
              "ann creates #team with the Create button: the status bar says Created #team")
    T.ok(ann.wait(lambda p: p.current() == "#team"), "and the page opens #team")
    nick.send("/join_group team")
    nick.expect("* joined #team (2 members)", "nick joins #team with /join_group", skip=True)
    ann.check(lambda p: any("nick joined #team" in n["text"] for n in p.notices()),
              "ann's #team conversation shows that nick joined")
    ann.say("team only line")
    T.ok(ann.own_line("team only line", "sent"), "ann's group line is confirmed in #team")
    nick.expect("#team <ann> team only line", "nick gets #team <ann> team only line", skip=True)
    # A broadcast after it: once ben has that, he would have the group
    # line too (the log is in order).
    ann.switch("everyone")
    ann.say("after the team line")
    ben.check(lambda p: has_message(p, "ann", "after the team line"),
              "ben gets ann's next broadcast")
    nick.expect("<ann> after the team line", "so does nick", skip=True)
    seen = ben.all_messages()
    T.is_(where(seen, "team only line"), [],
          "ben's page shows the group line nowhere (%d messages in %s)" % (
              sum(len(v) for v in seen.values()), ", ".join(sorted(seen))))
    T.ok("#team" not in seen, "ben has no #team conversation")


def errors(ann, nick):
    ann.switch("#team")
    ann.click("[data-test=leave-group]")
    ann.check(lambda p: "Left #team" in p.state()["status"],
              "ann leaves #team with the Leave button (the status bar says so)")
    ann.check(lambda p: "left" in p.convs().get("#team", {}).get("cls", []),
              "#team is marked left in her conversations")
    nick.expect("* nick now owns #team", "nick sees ann leave and now owns #team", skip=True)
    ann.say("anyone still here?")
    line = ann.own_line("anyone still here?", "failed")
    T.ok(line and "you are not in #team" in line["why"],
         "ann's line to a group she left is marked failed with the server's words "
         "(%r)" % (line and line["why"],))
    T.ok(ann.wait(lambda p: "you are not in #team" in p.state()["status"] and
                  "error" in p.state()["statusClass"]),
         "the status bar shows the error (%r)" % ann.state()["status"])
    nick.expect_nothing("nick does not get the refused line")

    ann.say("/msg ghost are you there?")
    T.ok(ann.wait(lambda p: p.current() == "@ghost"), "/msg ghost opens a conversation @ghost")
    line = ann.own_line("are you there?", "failed")
    T.ok(line and "there is no user named ghost" in line["why"],
         "a /msg to an unknown user is marked failed: %r" % (line and line["why"],))
    T.ok(ann.wait(lambda p: "there is no user named ghost" in p.state()["status"]),
         "and the status bar says %r" % ann.state()["status"])


def registered(svc, port, drivers, ann):
    carol = Page(svc, "carol", drivers)
    T.ok(carol.open(port), "carol's browser loads the page")
    carol.type("[data-test=name]", "carol")
    carol.click("[data-test=login]")
    carol.check(lambda p: (lambda s: s["passwordShown"] and s["loginEnabled"] and
                           "registered name" in s["loginStatus"])(p.state()),
                "a registered name: the page asks for the password")
    T.ok(carol.find("[data-test=password]").is_displayed(), "the password field is shown")
    carol.type("[data-test=password]", "wrong")
    carol.click("[data-test=login]")
    carol.check(lambda p: (lambda s: "wrong password" in s["status"] and
                           "error" in s["statusClass"])(p.state()),
                "a wrong password: the status bar shows the error")
    carol.check(lambda p: (lambda s: s["passwordShown"] and s["loginEnabled"] and
                           "wrong password" in s["loginStatus"])(p.state()),
                "the card asks again, saying the password was wrong")
    T.ok(not carol.state()["me"], "carol is not logged in")
    carol.type("[data-test=password]", "secret")
    carol.click("[data-test=login]")
    carol.check(lambda p: (lambda s: not s["loginShown"] and s["me"] == "carol" and
                           s["status"] == "Online as carol")(p.state()),
                "the right password logs carol in")
    ann.check(lambda p: any(u["name"] == "carol" and u["transport"] == "ws" for u in p.users()),
              "ann's users list shows carol (ws)")
    carol.quit()


def screenshot(ann):
    ann.switch("#team")
    path = os.path.join(T._builddir(), "t", "web-browser.png")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if T.ok(ann.driver.save_screenshot(path), "a screenshot of ann's page is saved"):
        T.diag("ann's page (#team) for a person to look at: %s" % path)


def main():
    check_browser()
    t0 = time.monotonic()
    with A.Service(users={"carol": "secret"}, rate_msgs=1000, rate_burst=1000) as svc:
        port = svc.start_web()
        drivers = []
        try:
            ann, ben, nick = logins(svc, port, drivers)
            broadcasts(ann, ben, nick)
            private(ann, ben, nick)
            groups(ann, ben, nick)
            errors(ann, nick)
            registered(svc, port, drivers, ann)
            screenshot(ann)
            for p in (ann, ben):
                T.is_(p.console_errors(), [], "no errors in %s's browser console" % p.label)
        finally:
            for p in drivers:
                p.quit()
            for p in drivers:
                shutil.rmtree(p.profile, ignore_errors=True)
    T.diag("run time %.1f s" % (time.monotonic() - t0))


T.main(main)
