/* The kiosk of an electronic bulletin board (issue 8.7; docs/channels.md).
   Rotates the current bulletins, fetches the feed every poll_seconds (If-None-Match: an unchanged
   feed is a 304), keeps the last feed in localStorage and shows it with an "offline since hh:mm"
   mark while the server cannot be reached, sends heartbeats and the display log (kept until the
   server has it: lines shown offline are sent later; the server ignores lines it already has).
   Only same-origin requests; no inline script (the CSP forbids it): the first feed is a JSON data
   block, the labels are data attributes. The page works without this script (<meta refresh>). */
(function () {
  "use strict";
  var body = document.body;
  var d = body.dataset;
  var main = document.getElementById("board-items");
  var countEl = document.getElementById("board-count");
  var offlineEl = document.getElementById("board-offline");
  var kiosk = d.mode === "kiosk";
  var FEED_KEY = "ketnoi-board-feed";
  var LOG_KEY = "ketnoi-board-log";
  var rotateMs = Math.max(3, parseInt(d.rotate, 10) || 15) * 1000;
  var pollMs = Math.max(5, parseInt(d.poll, 10) || 60) * 1000;
  var feed = null;
  var etag = d.etag || "";
  var at = parseInt(d.at, 10) || 0;
  var shownSince = null;
  var offlineSince = null;

  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or disabled */ }
  }
  function load(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function hhmm(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(date.getHours()) + ":" + two(date.getMinutes());
  }
  function ddmmyyyy(iso) {
    var p = iso.split("-");
    return p[2] + "/" + p[1] + "/" + p[0];
  }
  function clientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  /* the display log: one line per bulletin shown, queued until the server confirms */
  function logShown() {
    if (!kiosk || !feed || !shownSince) return;
    var item = feed.items[at];
    if (!item) return;
    var seconds = Math.round((Date.now() - shownSince.getTime()) / 1000);
    var lines = load(LOG_KEY) || [];
    lines.push({client_id: clientId(), rendition_id: item.rendition_id, started_at: shownSince.toISOString(), seconds: seconds});
    store(LOG_KEY, lines.slice(-500));
  }

  function render() {
    var items = feed ? feed.items : [];
    body.classList.toggle("board-emergency", !!(feed && feed.emergency));
    while (main.firstChild) main.removeChild(main.firstChild);
    if (!items.length) {
      var idle = el("article", "bulletin idle");
      idle.appendChild(el("h1", "", feed && feed.board ? feed.board.name : document.title));
      idle.appendChild(el("p", "", d.labelEmpty));
      main.appendChild(idle);
    }
    items.forEach(function (item, index) {
      var article = el("article", "bulletin " + item.priority);
      article.dataset.rendition = item.rendition_id;
      article.hidden = index !== at;
      if (item.priority === "emergency") article.appendChild(el("p", "label", d.labelEmergency));
      else if (item.priority === "priority") article.appendChild(el("p", "label", d.labelPriority));
      article.appendChild(el("h1", "", item.title));
      var text = el("div");
      text.lang = item.language;
      item.text.split("\n").forEach(function (para) {
        if (para.trim()) text.appendChild(el("p", "", para.trim()));
      });
      article.appendChild(text);
      if (item.valid_until) article.appendChild(el("p", "until", d.labelUntil + " " + ddmmyyyy(item.valid_until)));
      main.appendChild(article);
    });
    countEl.textContent = items.length > 1 ? (at + 1) + " / " + items.length : "";
  }

  function show(index) {
    var items = main.querySelectorAll(".bulletin");
    if (!items.length) return;
    logShown();
    at = ((index % items.length) + items.length) % items.length;
    for (var i = 0; i < items.length; i++) items[i].hidden = i !== at;
    countEl.textContent = items.length > 1 ? (at + 1) + " / " + items.length : "";
    shownSince = new Date();
  }

  function setFeed(data) {
    var current = feed && feed.items[at];
    feed = data;
    at = 0;
    if (current) {  // stay on the same bulletin when it is still there
      for (var i = 0; i < data.items.length; i++) if (data.items[i].rendition_id === current.rendition_id) at = i;
    }
    render();
  }

  function markOffline(offline) {
    if (offline && !offlineSince) offlineSince = new Date();
    if (!offline) offlineSince = null;
    offlineEl.hidden = !offline;
    offlineEl.textContent = offline ? d.labelOffline + " " + hhmm(offlineSince) : "";
    body.classList.toggle("board-offline", offline);
  }

  function refused() {
    try { localStorage.removeItem(FEED_KEY); } catch (e) { /* ignore */ }
    feed = {items: [], emergency: false, board: {name: d.labelRefused}};
    at = 0;
    render();
    body.classList.add("board-refused");
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": d.csrf},
      body: JSON.stringify(payload)
    });
  }

  function sendLog() {
    var lines = load(LOG_KEY) || [];
    if (!lines.length) return Promise.resolve();
    var batch = lines.slice(0, 200);
    return post(d.displayed, batch).then(function (response) {
      if (response.ok || response.status === 400) {  // stored, or refused for good: either way done
        var sent = {};
        batch.forEach(function (line) { sent[line.client_id] = true; });
        store(LOG_KEY, (load(LOG_KEY) || []).filter(function (line) { return !sent[line.client_id]; }));
      }
    });
  }

  function poll() {
    var headers = {Accept: "application/json"};
    if (etag) headers["If-None-Match"] = etag;
    fetch(d.feed, {credentials: "same-origin", headers: headers, cache: "no-store"})
      .then(function (response) {
        if (response.status === 401) { refused(); return null; }
        if (response.status === 304) { markOffline(false); return null; }
        if (!response.ok) throw new Error("HTTP " + response.status);
        etag = response.headers.get("ETag") || "";
        return response.json().then(function (data) {
          store(FEED_KEY, {etag: etag, data: data, saved_at: new Date().toISOString()});
          markOffline(false);
          setFeed(data);
        });
      })
      .then(function () {
        return post(d.heartbeat, {state: "online", firmware: "kiosk-web/1", reported_at: new Date().toISOString()});
      })
      .then(sendLog)
      .catch(function () { markOffline(true); });
  }

  var initial = document.getElementById("board-feed");
  if (initial) {
    feed = JSON.parse(initial.textContent);
    store(FEED_KEY, {etag: etag, data: feed, saved_at: new Date().toISOString()});
  } else if (kiosk) {
    var cached = load(FEED_KEY);
    if (cached) { feed = cached.data; etag = cached.etag; }
  }
  if (feed) render();
  shownSince = new Date();
  window.setInterval(function () { show(at + 1); }, rotateMs);
  if (kiosk) {
    window.setInterval(poll, pollMs);
    window.setTimeout(poll, 1000);
    if ("serviceWorker" in navigator && d.sw) {
      navigator.serviceWorker.register(d.sw).catch(function () { /* plain http on a LAN: none */ });
    }
  }
})();
