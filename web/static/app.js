/*
 * app.js -- the browser page of chat-web.
 *
 * One WebSocket to /ws?user_id=NAME carrying one JSON object per text
 * frame.  The page keeps a list of conversations ("everyone", "#group",
 * "@user"), each with its lines and an unread count, and shows one of them.
 * Our own lines are shown at once, dimmed, and confirmed by the server's
 * {"type":"ok"} (or marked failed by its {"type":"error"}); the server does
 * not echo them, and an echo, should one come, is matched and dropped.
 *
 * When a logged-in socket is lost the page reconnects with exponential
 * backoff (1 s doubling to 30 s, with jitter), answers the password prompt
 * with the password that worked, and rejoins its groups.
 *
 * All text from the network goes into the page as text nodes, never HTML.
 */
'use strict';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/;	/* the server's rule */
const MAX_LINES = 500;		/* kept per conversation */
const BACKOFF_MIN = 1000, BACKOFF_MAX = 30000;

/* Login refusals that another try with the same name cannot cure. */
const PERMANENT = new Set(['bad-password', 'name-invalid', 'guests-disabled',
	'unavailable']);

const CLOSE_WORDS = {
	1000: 'the server closed the connection',
	1001: 'the server is going away',
	1006: 'the connection dropped',
	1008: 'refused by the server',
	1009: 'a message was too big',
	1011: 'the server hit an error',
	1013: 'the server is busy; try again later',
};

/* ---- state ---- */

const S = {
	ws: null,
	name: '',		/* the name asked for at login */
	me: '',			/* the name the server welcomed */
	password: null,		/* the password that got us in: for reconnecting */
	sentPassword: null,	/* sent on this socket, verdict pending */
	triedSaved: false,	/* this socket was given the saved password */
	phase: 'idle',		/* idle | connecting | password | checking | online | waiting */
	welcomed: false,	/* this socket got its welcome */
	session: false,		/* stay logged in: reconnect when the socket drops */
	quitting: false,	/* we sent quit: the close is expected */
	lastError: null,	/* the last login error on this socket */
	attempt: 0, timer: null, tick: null, retryAt: 0,
	nextId: 1, pending: new Map(),	/* request id -> what it was for */
	convs: new Map(), current: 'everyone',
	users: [], groups: [], joined: new Set(),
	connText: '', connKind: '', flashTimer: null,
	refresh: {},		/* debounce timers for users/groups requests */
};

/* ---- small helpers ---- */

const $ = id => document.getElementById(id);

/* A new element: attributes (on* are listeners) and children (strings
   become text nodes; null and false are skipped). */
function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k === 'class') e.className = v;
		else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else e.setAttribute(k, v);
	}
	e.append(...kids.filter(k => k !== null && k !== undefined && k !== false));
	return e;
}

const pad = n => String(n).padStart(2, '0');
function hhmm(ts) {
	const d = new Date(ts);
	return pad(d.getHours()) + ':' + pad(d.getMinutes());
}

const groupName = s => String(s || '').trim().replace(/^#/, '');
const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();

function closeText(code, reason) {
	const words = reason || CLOSE_WORDS[code] ||
	    (code >= 4000 ? 'closed by the server' : 'the connection closed');
	return words + ' (code ' + code + ')';
}

/* ---- status line: the connection's state, or a passing message ---- */

function setConn(text, kind) {
	S.connText = text; S.connKind = kind || '';
	clearTimeout(S.flashTimer); S.flashTimer = null;
	showStatus(text, S.connKind);
}

/* An error or notice for the user; the connection's state comes back
   after a while.  Never blocks anything. */
function flash(text, kind = 'error') {
	showStatus(text, kind);
	clearTimeout(S.flashTimer);
	S.flashTimer = setTimeout(() => {
		S.flashTimer = null;
		showStatus(S.connText, S.connKind);
	}, kind === 'error' ? 10000 : 4000);
}

function showStatus(text, kind) {
	const st = $('status');
	st.textContent = text;
	st.className = 'status ' + (kind || '');
}

/* ---- conversations and their lines ---- */

function conv(key) {
	let c = S.convs.get(key);
	if (!c) {
		const kind = key === 'everyone' ? 'everyone' :
		    key[0] === '#' ? 'group' : 'user';
		c = { key, kind, name: kind === 'everyone' ? '' : key.slice(1),
		    title: kind === 'everyone' ? 'Everyone' : key,
		    lines: [], unread: 0 };
		S.convs.set(key, c);
		renderConvs();
	}
	return c;
}

/* Add a line to a conversation; draw it if that is the one shown, else
   count it unread (others' messages only). */
function addLine(key, line) {
	const c = conv(key);
	line.ts = line.ts || Date.now();
	c.lines.push(line);
	if (c.lines.length > MAX_LINES) {
		const old = c.lines.shift();
		if (old.node) old.node.remove();
	}
	if (key === S.current) {
		const box = $('messages');
		const atEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
		box.append(lineNode(line));
		if (atEnd || line.mine) box.scrollTop = box.scrollHeight;
	} else if (line.kind === 'message' && !line.mine) {
		c.unread++;
		renderConvs();
	}
	return line;
}

const notice = (key, text, kind = 'notice') => addLine(key, { kind, text });

/* The element of one line; remembered so a state change can redraw it. */
function lineNode(line) {
	const time = el('time', { datetime: new Date(line.ts).toISOString() },
	    hhmm(line.ts));
	/* The blanks between the parts keep textContent readable:
	   "12:05 <alice> hello" (the brackets are dimmed). */
	let node;
	if (line.kind !== 'message') {
		node = el('div', { class: 'line ' + line.kind, 'data-test': 'notice' },
		    time, ' ', el('span', { class: 'text' }, line.text));
	} else {
		const cls = ['line', 'msg', line.mine && 'mine', line.mentioned && 'mentioned',
		    line.state].filter(Boolean).join(' ');
		node = el('div', { class: cls, 'data-test': 'message' }, time, ' ',
		    el('span', { class: 'from' }, el('i', {}, '<'), line.from, el('i', {}, '>')),
		    ' ', el('span', { class: 'text' }, ...withMentions(line)),
		    line.state === 'failed' && el('span', { class: 'why' }, ' — ' + line.why));
	}
	if (line.node) line.node.replaceWith(node);
	line.node = node;
	return node;
}

/* The text with each @name of a known user in its own span. */
function withMentions(line) {
	const names = new Set([S.me, ...(line.mentions || []),
	    ...S.users.map(u => u.name)].map(n => String(n).toLowerCase()));
	const out = [];
	let last = 0;
	for (const m of line.text.matchAll(/@([A-Za-z][A-Za-z0-9_.-]*)/g)) {
		let name = m[1];	/* "@bob." ends a sentence, unless bob. is online */
		if (!names.has(name.toLowerCase())) name = name.replace(/[.-]+$/, '');
		if (!names.has(name.toLowerCase())) continue;
		out.push(line.text.slice(last, m.index),
		    el('span', { class: same(name, S.me) ? 'at me' : 'at' }, '@' + name));
		last = m.index + 1 + name.length;
	}
	out.push(line.text.slice(last));
	return out;
}

function switchTo(key) {
	const c = conv(key);
	S.current = key;
	c.unread = 0;
	const box = $('messages');
	box.replaceChildren(...c.lines.map(lineNode));
	box.scrollTop = box.scrollHeight;
	$('input').placeholder = c.kind === 'everyone' ? 'Message everyone' :
	    'Message ' + c.title;
	document.body.classList.remove('side-open');
	renderConvs();
	renderHead();
}

function closeConv(key) {
	S.convs.delete(key);
	if (S.current === key) switchTo('everyone');
	else renderConvs();
}

function renderConvs() {
	const order = c => (c.kind === 'everyone' ? '0' : c.kind === 'group' ? '1' : '2') +
	    c.name.toLowerCase();
	const list = [...S.convs.values()].sort((a, b) => order(a) < order(b) ? -1 : 1);
	$('conversations').replaceChildren(...list.map(c => {
		const left = c.kind === 'group' && !S.joined.has(c.name);
		const away = c.kind === 'user' && !S.users.some(u => u.name === c.name);
		const cls = ['conv', c.key === S.current && 'active', left && 'left',
		    away && 'away'].filter(Boolean).join(' ');
		return el('li', { class: cls, 'data-test': 'conversation',
		    'data-conversation': c.key, tabindex: '0', role: 'button',
		    onclick: () => switchTo(c.key),
		    onkeydown: e => { if (e.key === 'Enter') switchTo(c.key); } },
		    el('span', { class: 'label' }, c.title),
		    left && el('span', { class: 'hint' }, 'left'),
		    away && el('span', { class: 'hint' }, 'offline'),
		    c.unread > 0 && el('span', { class: 'badge', 'data-test': 'unread' },
			String(c.unread)),
		    (c.kind === 'user' || left) && el('button', { class: 'x plain',
			type: 'button', title: 'Close ' + c.title, 'aria-label': 'Close',
			onclick: e => { e.stopPropagation(); closeConv(c.key); } }, '×'));
	}));
	const total = [...S.convs.values()].reduce((n, c) => n + c.unread, 0);
	document.title = (total ? '(' + total + ') ' : '') + 'chat';
}

/* The head of the shown conversation: its name, members, owner tools. */
function renderHead() {
	const c = conv(S.current);
	$('conv-title').textContent = c.title;
	let info = '';
	let owner = false;
	if (c.kind === 'everyone') {
		info = S.users.length + ' online';
	} else if (c.kind === 'group') {
		const g = S.groups.find(g => g.name === c.name);
		if (!S.joined.has(c.name)) info = 'You are not a member. ';
		if (g) {
			const members = g.members || [];
			info += 'Owner ' + g.owner + (g.invite_only ? ' · invite-only' : '') +
			    ' · ' + members.length + (members.length === 1 ? ' member: ' : ' members: ') +
			    members.join(', ');
			owner = g.owner === S.me && S.joined.has(c.name);
		}
	} else {
		const u = S.users.find(u => u.name === c.name);
		info = 'Private conversation · ' + (u ? 'online (' + u.transport + ')' : 'offline');
	}
	$('conv-info').textContent = info;
	$('owner-form').hidden = !owner;
}

function renderUsers() {
	const users = [...S.users].sort((a, b) => a.name.localeCompare(b.name));
	$('online-count').textContent = '(' + users.length + ')';
	$('users').replaceChildren(...users.map(u => {
		const me = u.name === S.me;
		return el('li', { class: 'user' + (me ? ' self' : ''), 'data-test': 'user',
		    'data-name': u.name, tabindex: me ? null : '0', role: me ? null : 'button',
		    title: me ? 'you' : 'Talk privately with ' + u.name,
		    onclick: () => { if (!me) switchTo('@' + u.name); },
		    onkeydown: e => { if (e.key === 'Enter' && !me) switchTo('@' + u.name); } },
		    el('span', { class: 'label' }, u.name),
		    me && el('span', { class: 'hint' }, 'you'),
		    el('span', { class: 'transport' }, u.transport || '?'));
	}));
}

/* Every group on the server: a click opens one we are in, joins another. */
function renderGroups() {
	$('groups').replaceChildren(...S.groups.map(g => {
		const member = S.joined.has(g.name);
		return el('li', { class: 'group' + (member ? ' member' : ''),
		    'data-test': 'group', 'data-name': g.name, tabindex: '0', role: 'button',
		    title: member ? 'Open #' + g.name : 'Join #' + g.name,
		    onclick: () => member ? switchTo('#' + g.name) : groupOp('join_group', g.name),
		    onkeydown: e => { if (e.key === 'Enter') e.currentTarget.click(); } },
		    el('span', { class: 'label' }, '#' + g.name),
		    g.invite_only && el('span', { class: 'hint', title: 'invite-only' }, '🔒'),
		    el('span', { class: 'count' }, String((g.members || []).length)),
		    !member && el('span', { class: 'hint' }, 'join'));
	}));
}

/* ---- the socket ---- */

function connect() {
	clearTimeout(S.timer); clearInterval(S.tick);
	$('retry').hidden = true;
	S.welcomed = false; S.lastError = null;
	S.sentPassword = null; S.triedSaved = false;
	setPhase('connecting');
	setConn(S.session ? 'Reconnecting…' : 'Connecting…', 'busy');
	const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') +
	    location.host + '/ws?user_id=' + encodeURIComponent(S.name);
	const ws = new WebSocket(url);
	S.ws = ws;
	ws.onmessage = ev => {
		if (ws !== S.ws) return;
		let m;
		try { m = JSON.parse(ev.data); } catch (e) {
			flash('The server sent something unreadable: ' + String(ev.data).slice(0, 80));
			return;
		}
		if (m && typeof m.type === 'string') handle(m);
	};
	ws.onclose = ev => { if (ws === S.ws) closed(ev.code, ev.reason); };
}

function send(obj) {
	if (!S.ws || S.ws.readyState !== WebSocket.OPEN) return false;
	S.ws.send(JSON.stringify(obj));
	return true;
}

/* Send with an id; ctx says what to do with the ok or error for it. */
function request(obj, ctx) {
	if (S.phase !== 'online') {
		flash('Not connected: nothing was sent.');
		return false;
	}
	obj.id = S.nextId++;
	S.pending.set(obj.id, ctx || {});
	return send(obj);
}

function setPhase(p) {
	S.phase = p;
	$('login').disabled = p === 'connecting' || p === 'checking';
	document.body.classList.toggle('offline', p !== 'online');
}

/* ---- what the server says ---- */

function handle(m) {
	switch (m.type) {
	case 'password':
		if (S.password && !S.triedSaved) {	/* reconnecting: answer it ourselves */
			S.triedSaved = true;
			S.sentPassword = S.password;
			send({ type: 'login', password: S.password });
			setPhase('checking');
		} else {
			setPhase('password');
			const err = S.lastError;	/* after a wrong one, keep saying so */
			showLogin('password', err ? (err.message || err.code) + ' Try again.' :
			    S.name + ' is a registered name: enter its password.');
		}
		break;
	case 'welcome': welcome(m); break;
	case 'message': message(m); break;
	case 'join':
	case 'leave': {
		if (m.user === S.me) break;
		const text = m.user + (m.type === 'join' ? ' joined' :
		    ' left' + (m.reason ? ' (' + m.reason + ')' : ''));
		notice('everyone', text);
		if (S.convs.has('@' + m.user)) notice('@' + m.user, text);
		later('users');
		break;
	}
	case 'notice': {
		const g = m.group ? groupName(m.group) : '';
		notice(g && S.convs.has('#' + g) ? '#' + g : 'everyone', m.text || '');
		if (m.target === S.me || m.user === S.me && m.event === 'owner')
			flash(m.text || '', 'info');
		if (g && m.event === 'kicked' && m.target === S.me) {
			S.joined.delete(g);
			renderConvs(); renderHead();
		}
		if (g) later('groups');
		break;
	}
	case 'users':
		S.users = Array.isArray(m.users) ? m.users : [];
		renderUsers(); renderConvs(); renderHead();
		break;
	case 'groups':
		S.groups = Array.isArray(m.groups) ? m.groups : [];
		S.groups.sort((a, b) => a.name.localeCompare(b.name));
		/* The list is the truth about where we are a member. */
		S.joined = new Set(S.groups.filter(g => (g.members || []).includes(S.me))
		    .map(g => g.name));
		for (const g of S.joined) conv('#' + g);
		renderGroups(); renderConvs(); renderHead();
		break;
	case 'ok': ok(m); break;
	case 'error': error(m); break;
	}
}

function welcome(m) {
	const again = S.me === m.user;
	if (!again) resetData();		/* someone else now: a fresh page */
	S.me = m.user;
	S.welcomed = true;
	S.lastError = null;		/* a wrong password before does not count now */
	S.session = true;
	S.attempt = 0;
	if (S.sentPassword) S.password = S.sentPassword;
	setPhase('online');
	$('login-view').hidden = true;
	$('password').value = '';
	document.body.classList.remove('logged-out');
	$('me').textContent = S.me;
	$('logout').hidden = false;
	setConn('Online as ' + S.me, 'ok');
	notice('everyone', (again ? 'Reconnected as ' : 'Welcome, ') + S.me + '. ' +
	    (m.online ?? '?') + ' online.');
	for (const g of S.joined)		/* back into our groups */
		request({ type: 'join_group', group: g }, { kind: 'rejoin', group: g });
	send({ type: 'users' });
	send({ type: 'groups' });
	switchTo(S.current);
}

function message(m) {
	const text = String(m.text ?? '');
	const key = m.group ? '#' + groupName(m.group) :
	    m.to ? '@' + (m.from === S.me ? m.to : m.from) : 'everyone';
	if (m.from === S.me) {
		/* An echo of our own line: it is already shown. */
		const mine = conv(key).lines.find(l => l.mine && !l.echoed && l.text === text);
		if (mine) {
			mine.echoed = true;
			if (mine.state === 'pending') { mine.state = 'sent'; lineNode(mine); }
			return;
		}
	}
	const mentioned = !!m.mentioned || (m.mentions || []).some(n => same(n, S.me));
	const line = addLine(key, { kind: 'message', from: String(m.from ?? '?'), text, ts: m.ts,
	    mentions: m.mentions, mentioned, mine: m.from === S.me });
	if (mentioned || m.to) notify(key, line);
}

function ok(m) {
	const ctx = S.pending.get(m.id);
	if (!ctx) return;
	S.pending.delete(m.id);
	if (ctx.line) {
		ctx.line.state = 'sent';
		lineNode(ctx.line);
		return;
	}
	const g = ctx.group;
	switch (ctx.kind) {
	case 'create_group': case 'join_group': case 'rejoin': case 'recreate':
		S.joined.add(g);
		conv('#' + g);
		flash((ctx.kind === 'create_group' ? 'Created #' : ctx.kind === 'join_group' ?
		    'Joined #' : 'Back in #') + g, 'info');
		if (ctx.open) switchTo('#' + g);
		break;
	case 'leave_group':
		S.joined.delete(g);
		flash('Left #' + g, 'info');
		break;
	case 'kick': flash('Kicked ' + ctx.user + ' from #' + g, 'info'); break;
	case 'invite': flash('Invited ' + ctx.user + ' to #' + g, 'info'); break;
	}
	renderConvs(); renderHead();
	if (g) later('groups');
}

function error(m) {
	const text = m.message || m.code || 'error';
	if (!S.welcomed) {
		/* A login refusal: a new password prompt or a close follows,
		   and says the rest.  While reconnecting, only a wrong password
		   needs the card; the retries go on otherwise. */
		S.lastError = m;
		if (m.code === 'bad-password') S.password = S.sentPassword = null;
		if (!S.session || m.code === 'bad-password') cardSay(text, 'error');
		flash(text);
		return;
	}
	const ctx = (m.id !== undefined && S.pending.get(m.id)) || {};
	S.pending.delete(m.id);
	if (ctx.kind === 'rejoin' && m.code === 'no-such-group') {
		/* The group went away while we were gone (a server restart
		   forgets groups): make it again. */
		request({ type: 'create_group', group: ctx.group },
		    { kind: 'recreate', group: ctx.group });
		return;
	}
	if (ctx.kind === 'rejoin') S.joined.delete(ctx.group);
	flash(text);
	if (ctx.line) {
		ctx.line.state = 'failed';
		ctx.line.why = 'not delivered: ' + text;
		lineNode(ctx.line);
	} else {
		notice(S.current, text, 'error');
	}
	renderConvs(); renderHead();
}

/* The socket closed: say why, then reconnect, go back to the login card,
   or (after a quit) start afresh. */
function closed(code, reason) {
	const wasOnline = S.welcomed;
	S.ws = null;
	for (const ctx of S.pending.values()) {
		if (ctx.line && ctx.line.state === 'pending') {
			ctx.line.state = 'failed';
			ctx.line.why = 'not confirmed: the connection closed';
			lineNode(ctx.line);
		}
	}
	S.pending.clear();
	const why = closeText(code, reason);
	const err = S.lastError;
	const text = (err ? (err.message || err.code) + ' — ' : '') + why;

	if (S.quitting) {
		S.quitting = false;
		resetData();
		endSession('You left the chat.', '');
		return;
	}
	if (wasOnline) notice('everyone', 'Disconnected: ' + why, 'error');
	const hopeless = !S.session || (err && PERMANENT.has(err.code)) ||
	    (wasOnline && (code === 1000 || code === 1008));
	if (hopeless) {
		endSession(text, 'error');
		return;
	}
	scheduleReconnect(text);
}

/* No more reconnecting; the login card asks what to do. */
function endSession(text, kind) {
	clearTimeout(S.timer); clearInterval(S.tick);
	S.session = false;
	setPhase('idle');
	$('retry').hidden = true;
	setConn(text, kind);
	showLogin('name', text, kind);
}

function scheduleReconnect(why) {
	const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** S.attempt);
	const delay = Math.min(BACKOFF_MAX, Math.round(base * (0.8 + Math.random() * 0.4)));
	S.attempt++;
	S.retryAt = Date.now() + delay;
	setPhase('waiting');
	$('retry').hidden = false;
	const show = () => setConn('Connection lost: ' + why + '. Reconnecting in ' +
	    Math.max(1, Math.ceil((S.retryAt - Date.now()) / 1000)) + ' s…', 'error');
	show();
	clearInterval(S.tick);
	S.tick = setInterval(show, 1000);
	S.timer = setTimeout(connect, delay);
}

/* ---- login card ---- */

function showLogin(mode, text, kind = 'error') {
	const pw = mode === 'password';
	$('login-view').hidden = false;
	$('password-row').hidden = !pw;
	$('name').readOnly = pw;
	$('login').textContent = pw ? 'Send password' : 'Log in';
	$('login-cancel').hidden = !pw;
	cardSay(text, kind);
	if (text && !pw) setConn(text, kind);
	(pw ? $('password') : $('name')).focus();
}

/* A line under the login button: an error, or what is going on. */
function cardSay(text, kind = '') {
	$('login-status').textContent = text || '';
	$('login-status').className = 'login-status ' + kind;
}

function onLogin(ev) {
	ev.preventDefault();
	askNotifications();
	if (S.phase === 'password') {
		const pw = $('password').value;
		if (!pw) { cardSay('Enter the password.', 'error'); return; }
		S.sentPassword = pw;
		$('password').value = '';
		setPhase('checking');
		cardSay('Checking…');
		send({ type: 'login', password: pw });
		return;
	}
	if (S.phase === 'connecting' || S.phase === 'checking') return;
	const name = $('name').value.trim();
	if (!NAME_RE.test(name)) {
		cardSay('A name is 1–32 letters, digits, “_”, “-” or “.”, ' +
		    'starting with a letter.', 'error');
		return;
	}
	if (S.ws) { const old = S.ws; S.ws = null; old.close(1000); }
	S.name = name;
	S.password = null;
	S.session = false;
	cardSay('Connecting…');
	connect();
}

/* Cancel on the card: drop the half-made login (or the retries). */
function onCancel() {
	if (S.ws) { const old = S.ws; S.ws = null; old.close(1000); }
	endSession('Not connected.', '');
}

function logout() {
	if (S.ws && S.phase === 'online') {
		S.quitting = true;
		send({ type: 'quit' });
		const ws = S.ws;		/* a server that does not close: close it */
		setTimeout(() => { if (S.ws === ws) ws.close(1000); }, 2000);
	} else {
		if (S.ws) { const old = S.ws; S.ws = null; old.close(1000); }
		resetData();
		endSession('You left the chat.', '');
	}
}

/* Forget everything of the last user. */
function resetData() {
	S.me = ''; S.password = null;
	S.convs.clear(); S.users = []; S.groups = []; S.joined.clear();
	S.current = 'everyone';
	$('me').textContent = '';
	$('logout').hidden = true;
	document.body.classList.add('logged-out');
	conv('everyone');
	switchTo('everyone');
	renderUsers(); renderGroups();
}

/* ---- sending ---- */

function sendText(text) {
	const c = conv(S.current);
	const obj = c.kind === 'everyone' ? { type: 'say', text } :
	    c.kind === 'group' ? { type: 'group_msg', group: c.name, text } :
	    { type: 'msg', to: c.name, text };
	const line = { kind: 'message', from: S.me, text, mine: true, state: 'pending' };
	if (!request(obj, { line })) return false;
	addLine(c.key, line);
	return true;
}

function groupOp(type, g, open = type !== 'leave_group') {
	g = groupName(g);
	if (!g) { flash('Type a group name first.'); return false; }
	return request({ type, group: g }, { kind: type, group: g, open });
}

function memberOp(type, g, user) {
	g = groupName(g); user = String(user || '').trim();
	if (!g || !user) { flash('Say which group and which user.'); return false; }
	return request({ type, group: g, user }, { kind: type, group: g, user });
}

/* The group a command means when it names none: the one shown. */
const currentGroup = () => S.current[0] === '#' ? S.current.slice(1) : '';

const HELP = 'Commands: /join G · /create G · /leave [G] · /msg USER TEXT · ' +
    '/invite [G] USER · /kick [G] USER · /users · /groups · /quit.  ' +
    'Start a line with // to send one that begins with /.';

/* A line typed as "/command args"; true when it was handled. */
function command(line) {
	const [, cmd, rest = ''] = line.match(/^\/(\S*)\s*(.*)$/);
	const args = rest.split(/\s+/).filter(Boolean);
	const two = (f) => args.length >= 2 ? f(args[0], args[1]) : f(currentGroup(), args[0]);
	switch (cmd) {
	case 'join': case 'join_group': return groupOp('join_group', args[0]);
	case 'create': case 'create_group': return groupOp('create_group', args[0]);
	case 'leave': case 'leave_group':
		return groupOp('leave_group', args[0] || currentGroup());
	case 'msg': case 'query': {
		const to = (args[0] || '').replace(/^@/, ''), text = rest.replace(/^\S+\s*/, '');
		if (!to) { flash('Say who: /msg USER TEXT'); return false; }
		switchTo('@' + to);
		return text ? sendText(text) : true;
	}
	case 'invite': return two((g, u) => memberOp('invite', g, u));
	case 'kick': return two((g, u) => memberOp('kick', g, u));
	case 'users': return request({ type: 'users' });
	case 'groups': return request({ type: 'groups' });
	case 'quit': logout(); return true;
	case 'help': notice(S.current, HELP); return true;
	default: flash('Unknown command /' + cmd + '. ' + HELP); return false;
	}
}

function onSend(ev) {
	ev.preventDefault();
	const input = $('input');
	const text = input.value;
	if (!text.trim()) return;
	askNotifications();
	let done;
	if (text.startsWith('//')) done = sendText(text.slice(1));
	else if (text.startsWith('/')) done = command(text);
	else done = sendText(text);
	if (done) input.value = '';	/* kept when it could not go out */
	input.focus();
}

/* ---- refreshing lists, notifications ---- */

/* Ask for the users or groups list soon; a burst of events asks once. */
function later(what) {
	clearTimeout(S.refresh[what]);
	S.refresh[what] = setTimeout(() => {
		if (S.phase === 'online') send({ type: what });
	}, 150);
}

/* Called from clicks and key presses only: browsers want a user's gesture. */
function askNotifications() {
	if ('Notification' in window && Notification.permission === 'default')
		Notification.requestPermission().catch(() => {});
}

function notify(key, line) {
	if (!('Notification' in window) || Notification.permission !== 'granted') return;
	if (!document.hidden && key === S.current) return;
	const title = key === 'everyone' ? line.from + ' mentioned you' :
	    key[0] === '#' ? line.from + ' in ' + key : line.from + ' (private)';
	try {
		const n = new Notification(title, { body: line.text, tag: key });
		n.onclick = () => { window.focus(); switchTo(key); n.close(); };
	} catch (e) { /* some browsers allow them only from a service worker */ }
}

/* ---- wiring ---- */

function init() {
	$('login-form').addEventListener('submit', onLogin);
	$('login-cancel').addEventListener('click', onCancel);
	$('send-form').addEventListener('submit', onSend);
	$('logout').addEventListener('click', logout);
	$('retry').addEventListener('click', () => { S.attempt = 0; connect(); });
	$('refresh-groups').addEventListener('click', () => later('groups'));
	$('group-name').addEventListener('focus', () => later('groups'));
	$('toggle-side').addEventListener('click',
	    () => document.body.classList.toggle('side-open'));
	document.querySelector('.main').addEventListener('click',
	    () => document.body.classList.remove('side-open'));

	/* Create, Join, Leave: the typed group, or for Leave the one shown. */
	const groupForm = $('group-form');
	const groupAct = action => {
		const typed = $('group-name').value;
		const g = typed.trim() ? typed : action === 'leave_group' ? currentGroup() : '';
		if (groupOp(action, g)) $('group-name').value = '';
	};
	groupForm.addEventListener('submit', e => { e.preventDefault(); groupAct('join_group'); });
	for (const b of groupForm.querySelectorAll('button[data-action]'))
		if (b.type === 'button') b.addEventListener('click', () => groupAct(b.dataset.action));

	const ownerForm = $('owner-form');
	const ownerAct = action => {
		if (memberOp(action, currentGroup(), $('member-name').value))
			$('member-name').value = '';
	};
	ownerForm.addEventListener('submit', e => { e.preventDefault(); ownerAct('invite'); });
	ownerForm.querySelector('[data-action=kick]').addEventListener('click',
	    () => ownerAct('kick'));

	/* Back online after a network loss: do not wait for the timer. */
	window.addEventListener('online', () => {
		if (S.phase === 'waiting') connect();
	});

	conv('everyone');
	switchTo('everyone');
	renderUsers();
	setConn('Not connected', '');
}

init();
