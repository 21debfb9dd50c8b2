// templating preview: view toggles, copy buttons and live reload (server-sent events).
// Our own script; the rendered messages never run scripts (their iframes are sandboxed).
(function () {
  "use strict";
  var KEY = "templating-preview:";
  var docEl = document.documentElement;

  function store(name, value) {
    try { localStorage.setItem(KEY + name, value); } catch (e) { /* file:// or private mode */ }
  }
  function stored(name, fallback) {
    try { return localStorage.getItem(KEY + name) || fallback; } catch (e) { return fallback; }
  }
  function apply() {
    docEl.dataset.width = stored("width", "desktop");
    docEl.dataset.dark = stored("dark", "off");
    docEl.dataset.view = stored("view", "message");
    document.querySelectorAll("[data-set-width]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.setWidth === docEl.dataset.width));
    });
    document.querySelectorAll("[data-set-view]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.setView === docEl.dataset.view));
    });
    document.querySelectorAll("[data-toggle-dark]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(docEl.dataset.dark === "on"));
    });
  }

  document.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.setWidth) { store("width", b.dataset.setWidth); apply(); }
    else if (b.dataset.setView) { store("view", b.dataset.setView); apply(); }
    else if (b.hasAttribute("data-toggle-dark")) {
      store("dark", docEl.dataset.dark === "on" ? "off" : "on"); apply();
    } else if (b.dataset.copy) { copy(b); }
  });

  function copy(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = source.textContent;
    var note = button.parentNode.querySelector(".copied");
    function done(ok) {
      if (note) note.textContent = ok ? "Copied" : "Copy failed: select the text below";
      document.body.dataset.copied = ok ? button.dataset.copy : "";
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  // ---- links to a source line ---------------------------------------------------------
  // A line is "#L12" in the template or "#<partial anchor>-L12" in a partial; a partial's
  // section is a <details> that may be closed: open it, then bring the line into view (the
  // CSS outlines the :target row). Ids hold "/" and ".", so they are looked up by id.
  function reveal() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { id = location.hash.slice(1); }
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) el.open = true;
    }
    target.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", reveal);
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest('a[href^="#"]');
    // the same link twice: no hashchange, but the designer still wants to see the line
    if (a && a.getAttribute("href") === location.hash) { ev.preventDefault(); reveal(); }
  });

  // ---- live reload ------------------------------------------------------------------
  // The server pushes {"version": n} whenever a watched file changes. We fetch this same
  // page again and swap only the regions whose digest changed, so untouched frames are not
  // reloaded and scroll position and toggles survive.
  var busy = false, pending = false;

  function refresh() {
    if (busy) { pending = true; return; }
    busy = true;
    fetch(location.pathname + location.search, { cache: "no-store" }).then(function (r) {
      if (r.status === 404) { location.href = document.body.dataset.root + "index.html"; return null; }
      return r.text();
    }).then(function (text) {
      performance.mark("preview:fetched");
      if (text !== null && text !== undefined) swap(new DOMParser().parseFromString(text, "text/html"));
      performance.mark("preview:swapped");
    }).catch(function () { /* server restarting: the next event retries */ }).then(function () {
      busy = false;
      if (pending) { pending = false; refresh(); }
    });
  }

  function regions(root) {
    var out = {};
    root.querySelectorAll("[data-region]").forEach(function (el) { out[el.dataset.region] = el; });
    return out;
  }

  function swap(doc) {
    var oldMain = document.getElementById("main"), newMain = doc.getElementById("main");
    if (!oldMain || !newMain) return;
    var before = regions(oldMain), after = regions(newMain);
    var sameSet = Object.keys(before).join("\n") === Object.keys(after).join("\n");
    if (!sameSet) {
      oldMain.replaceWith(document.importNode(newMain, true));
    } else {
      Object.keys(after).forEach(function (id) {
        if (before[id].dataset.digest !== after[id].dataset.digest) {
          before[id].replaceWith(document.importNode(after[id], true));
        }
      });
    }
    document.title = doc.title;
    document.body.dataset.version = doc.body.dataset.version;
    apply();
    var version = doc.body.dataset.version;
    document.dispatchEvent(new CustomEvent("preview:updated", { detail: { version: version } }));
    framesLoaded(version);
  }

  // Once every frame that was (re)created has loaded, stamp the time: this is the moment
  // the designer sees the new render (benchmarks/preview.py measures save -> this).
  function framesLoaded(version) {
    var frames = Array.prototype.filter.call(document.querySelectorAll("iframe"), function (f) {
      if (f.dataset.seen) return false;
      if (f.loading !== "lazy") return true;
      var r = f.getBoundingClientRect();       // lazy frames off screen do not load yet
      return r.bottom > 0 && r.top < window.innerHeight;
    });
    var left = frames.length;
    function finish() {
      performance.mark("preview:frames-loaded");
      document.body.dataset.renderedAt = String(Date.now());
      document.body.dataset.renderedVersion = version;
      document.dispatchEvent(new CustomEvent("preview:rendered", { detail: { version: version } }));
    }
    if (!left) { finish(); return; }
    frames.forEach(function (f) {
      f.dataset.seen = "1";
      var done = false;
      function one() { if (done) return; done = true; left -= 1; if (!left) finish(); }
      f.addEventListener("load", one);
      setTimeout(one, 5000);
    });
  }

  // Browsers allow about six HTTP/1.1 connections per host and an event stream holds one
  // for good, so a tab that is not visible lets go of its stream; when it is shown again it
  // reconnects, and the version the server sends first brings it up to date.
  var source = null;

  function connect() {
    if (document.body.dataset.live !== "1" || !window.EventSource || source) return;
    var status = document.getElementById("live-status");
    source = new EventSource(document.body.dataset.root + "events");
    source.addEventListener("open", function () { if (status) status.classList.add("connected"); });
    source.addEventListener("error", function () { if (status) status.classList.remove("connected"); });
    source.addEventListener("change", function (ev) {
      var msg = JSON.parse(ev.data);
      if (String(msg.version) !== document.body.dataset.version) {
        performance.mark("preview:change-event");
        refresh();
      }
    });
  }

  function disconnect() {
    if (!source) return;
    source.close();
    source = null;
    var status = document.getElementById("live-status");
    if (status) status.classList.remove("connected");
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });

  apply();
  reveal();
  Array.prototype.forEach.call(document.querySelectorAll("iframe"), function (f) { f.dataset.seen = "1"; });
  if (!document.hidden) connect();
})();
