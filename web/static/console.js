// The console's live parts: new transcript lines and queue changes appear without a reload (polling
// every few seconds: simple, and it works the same behind several web workers). Canned replies fill
// the reply box. Everything is inserted as text, never as HTML.
(function () {
  "use strict";
  var POLL_MS = 3000;

  function poll(url, handle) {
    var timer = null;
    function tick() {
      window.fetch(url(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body) handle(body); })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .then(function () { timer = window.setTimeout(tick, POLL_MS); });
    }
    timer = window.setTimeout(tick, POLL_MS);
  }

  var transcript = document.querySelector(".transcript[data-live]");
  if (transcript) {
    var labels = {person: "Person", assistant: "Assistant", staff: "Colleague", system: "System"};
    transcript.querySelectorAll(".line .who").forEach(function (who) {
      var kind = who.parentNode.className.match(/line-(person|assistant|staff|system)/);
      if (kind && !who.parentNode.classList.contains("line-note")) labels[kind[1]] = who.textContent;
    });
    poll(function () { return transcript.dataset.live + "?after=" + encodeURIComponent(transcript.dataset.after); },
      function (body) {
        (body.messages || []).forEach(function (m) {
          var li = document.createElement("li");
          li.className = "line line-" + m.author + (m.internal ? " line-note" : "");
          var who = document.createElement("span");
          who.className = "who";
          who.textContent = labels[m.author] || m.author;
          var what = document.createElement("span");
          what.className = "what";
          what.textContent = m.text;
          li.appendChild(who);
          li.appendChild(what);
          transcript.appendChild(li);
          transcript.dataset.after = String(m.id);
        });
        var state = document.querySelector("[data-state]");
        if (state && body.state) state.textContent = body.state;
      });
  }

  var queue = document.querySelector("table.queue[data-live]");
  if (queue) {
    poll(function () { return queue.dataset.live; }, function (body) {
      var known = Array.prototype.map.call(queue.querySelectorAll("tbody tr"), function (tr) {
        return tr.dataset.conversation;
      }).join(",");
      var now = (body.queue || []).map(function (row) { return row.id; }).join(",");
      if (known !== now) window.location.reload();  // a new or taken conversation: show the fresh table
    });
  }

  document.querySelectorAll("select[data-canned-for]").forEach(function (select) {
    select.addEventListener("change", function () {
      var box = document.getElementById(select.dataset.cannedFor);
      if (box && select.value) { box.value = select.value; box.focus(); }
    });
  });
})();
