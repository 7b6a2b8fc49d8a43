"use strict";
(function () {
	const data = JSON.parse(document.getElementById("data").textContent);
	const $ = (sel, root) => (root || document).querySelector(sel);
	const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
	const srcLine = (l) => document.getElementById("s" + l);
	const genLine = (l) => document.getElementById("g" + l);
	const node = (co, st) => $$("svg .node").find((n) => n.dataset.co === co && Number(n.dataset.st) === st);

	// srcGen[l]: the generated lines that run .gocoro line l.
	const srcGen = {};
	data.genSrc.forEach((s, g) => {
		if (s) (srcGen[s] = srcGen[s] || []).push(g);
	});
	const caseLines = (co, st) => {
		const r = (data.cases[co] || [])[st];
		const out = [];
		if (r && r[0]) for (let l = r[0]; l <= r[1]; l++) out.push(l);
		return out;
	};
	const statesOf = (gens) => {
		const seen = new Map();
		for (const g of gens) {
			const s = data.genState[g];
			if (s) seen.set(s.co + "\u0000" + s.st, s);
		}
		return Array.from(seen.values());
	};

	// mark gives cls to exactly the lines and states named.
	function mark(cls, srcs, gens, states) {
		$$("." + cls).forEach((e) => e.classList.remove(cls));
		srcs.forEach((l) => { const e = srcLine(l); if (e) e.classList.add(cls); });
		gens.forEach((l) => { const e = genLine(l); if (e) e.classList.add(cls); });
		states.forEach((s) => { const e = node(s.co, s.st); if (e) e.classList.add(cls); });
	}
	// reveal scrolls the first of els into view within its pane, unless
	// it is the pane the pointer is in.
	function reveal(els, except) {
		const e = els.find(Boolean);
		if (!e) return;
		const pane = e.closest(".pane");
		if (!pane || pane === except) return;
		const pr = pane.getBoundingClientRect(), er = e.getBoundingClientRect();
		if (er.top < pr.top + 30 || er.bottom > pr.bottom) {
			pane.scrollTop += er.top - pr.top - pane.clientHeight / 3;
		}
		if (er.left < pr.left || er.right > pr.right) {
			pane.scrollLeft += er.left - pr.left - pane.clientWidth / 3;
		}
	}
	// selection returns what goes with an element: a source line, a
	// generated line or a state.
	function selection(el) {
		if (el.matches("#src .line")) {
			const l = Number(el.dataset.l);
			const gens = srcGen[l] || [];
			return { srcs: [l], gens, states: statesOf(gens) };
		}
		if (el.matches("#gen .line")) {
			const g = Number(el.dataset.l);
			const s = data.genSrc[g];
			const gens = s ? srcGen[s] : [g];
			const st = data.genState[g];
			return { srcs: s ? [s] : [], gens, states: st ? [st] : [] };
		}
		if (el.matches("svg .node")) {
			const co = el.dataset.co, st = Number(el.dataset.st);
			const gens = st >= 0 ? caseLines(co, st) : [];
			const srcs = Array.from(new Set(gens.map((g) => data.genSrc[g]).filter(Boolean)));
			return { srcs, gens, states: [{ co, st }] };
		}
		return null;
	}
	function apply(cls, el) {
		const s = selection(el);
		if (!s) return;
		mark(cls, s.srcs, s.gens, s.states);
		const pane = el.closest(".pane");
		reveal(s.srcs.map(srcLine), pane);
		reveal(s.gens.map(genLine), pane);
		reveal(s.states.map((x) => node(x.co, x.st)), pane);
	}
	const target = (ev) => ev.target.closest("#src .line, #gen .line, svg .node");
	document.addEventListener("mouseover", (ev) => {
		const el = target(ev);
		if (el) apply("hl", el);
	});
	document.addEventListener("mouseout", (ev) => {
		if (target(ev)) mark("hl", [], [], []);
	});
	document.addEventListener("click", (ev) => {
		const el = target(ev);
		if (el) apply("sel", el);
	});
	document.addEventListener("keydown", (ev) => {
		if (ev.key === "Escape") { mark("sel", [], [], []); mark("hl", [], [], []); }
	});

	// The replay of a traced run.
	const run = data.run;
	if (!run) return;
	const events = run.events;
	const slider = $("#slider"), status = $("#status"), stepno = $("#stepno");
	const fieldsEl = $("#fields"), outputEl = $("#output"), list = $("#events");
	const name = (e) => e.co + "#" + e.inst;
	const stName = (st) => (st === -1 ? "done" : "state " + st);
	function describe(e) {
		switch (e.ev) {
		case "poll": {
			let what = " is polled";
			if (e.again) what = e.woken ? " is polled again, as it was woken" : " is polled again, with no wake recorded since it was not ready (a loop polls it)";
			return name(e) + what + (e.st >= 0 ? ", resuming at state " + e.st : "");
		}
		case "wake": return name(e) + " is woken: the Waker of its Poll was called (by a timer, a socket, a task it waits on...), so it will be polled again" + (e.st >= 0 ? "; it waits in state " + e.st : "");
		case "enter": return name(e) + " runs state " + e.st;
		case "pending": return name(e) + " is not ready: Poll returns, to resume at state " + e.st;
		case "done": return name(e) + " completes: Poll returns ready";
		case "repeat": return "the " + e.len + " events before happened " + e.n + " more time" + (e.n === 1 ? "" : "s") + ", the same each time (polling that finds nothing new)";
		default: return name(e) + " returns from Poll in state " + e.st;
		}
	}
	// A poll after a wait not ready of the same machine is a poll again;
	// woken if a wake of the machine was recorded since its poll before.
	const lastOf = new Map(), wokenSince = new Set();
	for (const e of events) {
		const key = e.co + "#" + e.inst;
		if (e.ev === "wake") { wokenSince.add(key); continue; }
		const prev = lastOf.get(key);
		e.again = e.ev === "poll" && !!prev && (prev.ev === "pending" || prev.ev === "repeat");
		if (e.ev === "poll") { e.woken = wokenSince.has(key); wokenSince.delete(key); }
		lastOf.set(key, e);
	}
	// The events before each step, by machine: the one before, for the
	// fields that changed, and where each machine rests, woken or not
	// (woken from its wake to its next poll).
	const before = [], rests = [];
	const rested = (rest, e) => {
		const key = e.co + "#" + e.inst;
		const r = rest.get(key) || { co: e.co, st: null, woken: false };
		if (e.ev === "pending") rest.set(key, { ...r, st: e.st });
		else if (e.ev === "done") rest.set(key, { co: e.co, st: e.st, woken: false });
		else if (e.ev === "wake") rest.set(key, { ...r, woken: true });
		else if (e.ev === "poll") rest.set(key, { ...r, woken: false });
	};
	{
		const last = new Map(), rest = new Map();
		events.forEach((e, i) => {
			const key = e.co + "#" + e.inst;
			before[i] = last.get(key) || null;
			last.set(key, e);
			rested(rest, e);
			if (i % 64 === 0 || i === events.length - 1) rests[i] = new Map(rest);
		});
	}
	const restAt = (i) => {
		let k = i;
		while (rests[k] === undefined) k--;
		const rest = new Map(rests[k]);
		for (let j = k + 1; j <= i; j++) rested(rest, events[j]);
		return rest;
	};
	events.forEach((e, i) => {
		const li = document.createElement("li");
		li.textContent = e.ev === "repeat" ? "repeat  ×" + e.n + " the " + e.len + " events before" : e.ev.padEnd(7) + " " + name(e) + " " + (e.ev === "done" ? "" : stName(e.st));
		li.title = describe(e);
		if (e.ev === "wake") li.className = "wake";
		li.addEventListener("click", () => show(i));
		list.appendChild(li);
	});
	// sourceOf returns the source line of an event: for a state entered,
	// that of the first statement the state runs (its case's own line has
	// the position of the code before it).
	function sourceOf(e) {
		const r = (data.cases[e.co] || [])[e.st];
		if (e.ev === "enter" && r) {
			for (let l = e.gl + 1; l <= r[1]; l++) if (data.genSrc[l]) return data.genSrc[l];
		}
		return data.genSrc[e.gl] || 0;
	}
	let cur = -1;
	function show(i) {
		if (!events.length) {
			status.textContent = "No poll was recorded: the program ran none of this file's coroutines.";
			outputEl.textContent = run.output;
			return;
		}
		i = Math.max(0, Math.min(events.length - 1, i));
		cur = i;
		const e = events[i];
		slider.value = i;
		stepno.textContent = (i + 1) + " / " + events.length;
		status.innerHTML = "";
		const tag = document.createElement("span");
		tag.className = "ev";
		tag.textContent = e.ev;
		status.append(tag, describe(e) + "  (" + (e.t / 1000).toFixed(1) + " ms)");
		status.dataset.ev = e.ev;
		status.dataset.co = e.co;
		status.dataset.st = e.st;

		// Where every machine rests now: the state its last Poll left it
		// in; and those woken since, not polled yet.
		const rest = Array.from(restAt(i).values()).filter((r) => r.st !== null);
		mark("rest", [], [], rest);
		mark("woken", [], [], rest.filter((r) => r.woken));
		const st = e.ev === "done" ? -1 : e.st;
		const src = sourceOf(e);
		mark("cur", src ? [src] : [], e.gl ? [e.gl] : [], [{ co: e.co, st }]);
		// The edge taken to get here within the same Poll.
		$$("svg .edge.taken").forEach((x) => x.classList.remove("taken"));
		// The event before, over wakes (which a Poll's own wakes put
		// between its events).
		let p = i - 1;
		while (p >= 0 && events[p].ev === "wake") p--;
		const prev = p >= 0 && e.ev !== "wake" ? events[p] : null;
		let from = null, to = null;
		if (prev && prev.co === e.co && prev.inst === e.inst) {
			if (e.ev === "enter" && prev.ev === "enter") { from = prev.st; to = e.st; }
			if (e.ev === "pending" || e.ev === "done") { from = prev.ev === "enter" ? prev.st : null; to = e.ev === "done" ? -1 : e.st; }
		}
		if (e.ev === "enter" && prev && prev.ev === "poll" && e.st === 0) { from = -2; to = 0; }
		if (from !== null) {
			const svg = $$("svg.graph").find((s) => s.dataset.co === e.co);
			const edge = svg && $$(".edge", svg).find((x) => Number(x.dataset.from) === from && Number(x.dataset.to) === to);
			if (edge) edge.classList.add("taken");
		}
		if (e.ev === "pending") {
			const svg = $$("svg.graph").find((s) => s.dataset.co === e.co);
			const loop = svg && $$(".edge.notready", svg).find((x) => Number(x.dataset.from) === e.st);
			if (loop) loop.classList.add("taken");
		}
		reveal([genLine(e.gl)], null);
		reveal([srcLine(src)], null);
		reveal([node(e.co, st)], null);

		// The fields, those changed since this machine's previous event marked.
		const prevOwn = before[i];
		const old = new Map((prevOwn ? prevOwn.f : []).map(([k, v]) => [k, v]));
		fieldsEl.innerHTML = "";
		const head = fieldsEl.insertRow();
		head.insertCell().textContent = name(e);
		head.insertCell().textContent = e.ev === "done" ? "done" : "state " + e.st;
		for (const [k, v] of e.f || []) {
			const tr = fieldsEl.insertRow();
			tr.dataset.field = k;
			if (prevOwn && old.get(k) !== v) tr.className = "changed";
			tr.insertCell().textContent = k;
			tr.insertCell().textContent = v;
		}
		// Standard output as it was, what the step printed marked.
		const upto = e.out >= 0 ? e.out : run.output.length;
		const since = prevOwn && prevOwn.out >= 0 ? prevOwn.out : upto;
		outputEl.textContent = "";
		const was = document.createTextNode(run.output.slice(0, Math.min(since, upto)));
		const added = document.createElement("span");
		added.className = "new";
		added.textContent = run.output.slice(Math.min(since, upto), upto);
		outputEl.append(was, added);
		outputEl.parentElement.scrollTop = outputEl.parentElement.scrollHeight;
		$$("#events li.cur").forEach((x) => x.classList.remove("cur"));
		const li = list.children[i];
		li.classList.add("cur");
		const lp = list.parentElement, lr = lp.getBoundingClientRect(), r = li.getBoundingClientRect();
		if (r.top < lr.top + 20 || r.bottom > lr.bottom) lp.scrollTop += r.top - lr.top - lp.clientHeight / 2;
	}
	let timer = null;
	const play = $("#play");
	function stop() { if (timer) { clearInterval(timer); timer = null; play.textContent = "play"; } }
	play.addEventListener("click", () => {
		if (timer) return stop();
		if (cur >= events.length - 1) show(0);
		play.textContent = "pause";
		timer = setInterval(() => { if (cur >= events.length - 1) stop(); else show(cur + 1); }, 450);
	});
	$("#first").addEventListener("click", () => { stop(); show(0); });
	$("#prev").addEventListener("click", () => { stop(); show(cur - 1); });
	$("#next").addEventListener("click", () => { stop(); show(cur + 1); });
	$("#last").addEventListener("click", () => { stop(); show(events.length - 1); });
	slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
	document.addEventListener("keydown", (ev) => {
		if (ev.target.closest && ev.target.closest("input, textarea")) return;
		switch (ev.key) {
		case "ArrowRight": stop(); show(cur + 1); break;
		case "ArrowLeft": stop(); show(cur - 1); break;
		case "Home": stop(); show(0); break;
		case "End": stop(); show(events.length - 1); break;
		case " ": ev.preventDefault(); play.click(); break;
		default: return;
		}
		ev.preventDefault();
	});
	// #step=N opens the replay at step N (1-based), and follows it.
	const m = /step=(\d+)/.exec(location.hash);
	show(m ? Number(m[1]) - 1 : 0);
	const follow = () => { try { history.replaceState(null, "", "#step=" + (cur + 1)); } catch (e) { /* a file: URL in some browsers */ } };
	slider.addEventListener("change", follow);
	document.addEventListener("click", (ev) => { if (ev.target.closest("#replay")) follow(); });
	document.addEventListener("keyup", follow);
})();
