/* Confidant review: the open-alert and new-appointment counts kept current, and queue actions
   that stay in place. Served from this app (script-src 'self'); no inline script, no third
   party. Without it every page still works: forms post and come back to the same row with a
   confirmation. */
(function () {
  "use strict";

  var badge = document.getElementById("alert-count");
  var live = document.getElementById("live-status");
  var queue = document.getElementById("queue");
  var baseTitle = document.title.replace(/^\(\d+\) /, "");
  var stopped = false;

  function say(text) {
    if (!live) return;
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  /* Returns what to say when there are more new requests than before, else "". */
  function showAppointments(count) {
    var appointments = document.getElementById("appointment-count");
    if (!appointments || typeof count !== "number") return "";
    var before = parseInt(appointments.getAttribute("data-new") || "0", 10);
    appointments.setAttribute("data-new", String(count));
    appointments.querySelector(".n").textContent = String(count);
    appointments.classList.toggle("has-new", count > 0);
    return count > before ? "New appointment request: " + count + " new." : "";
  }

  function showCounts(counts) {
    if (!badge || !counts) return;
    var appointmentNews = showAppointments(counts.new_appointments);
    var before = parseInt(badge.getAttribute("data-open") || "0", 10);
    badge.setAttribute("data-open", String(counts.open));
    badge.querySelector(".n").textContent = String(counts.open);
    badge.querySelector(".visually-hidden").textContent =
      " not acknowledged" + (counts.overdue ? ", " + counts.overdue + " overdue" : "");
    badge.classList.toggle("has-open", counts.open > 0);
    badge.classList.toggle("has-overdue", counts.overdue > 0);
    document.title = (counts.open ? "(" + counts.open + ") " : "") + baseTitle;
    var news = [];
    if (counts.open > before) {
      news.push("New escalation: " + counts.open + " not acknowledged" + (counts.overdue ? ", " + counts.overdue + " overdue" : "") + ".");
    }
    if (appointmentNews) news.push(appointmentNews);
    if (news.length) say(news.join(" "));
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, redirect: "error" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      });
  }

  function busy() {
    /* The clinician is writing or has a confirmation open: do not swap the list under them. */
    if (!queue) return false;
    var active = document.activeElement;
    if (active && queue.contains(active) && active.matches("textarea, input, button, summary, a")) return true;
    if (queue.querySelector("details[open]")) return true;
    return Array.prototype.some.call(queue.querySelectorAll("textarea"), function (area) { return area.value.trim() !== ""; });
  }

  function refreshQueue() {
    return getJSON(queue.getAttribute("data-queue-url")).then(function (data) {
      queue.innerHTML = data.html;
      queue.setAttribute("data-version", data.version);
      var update = document.getElementById("queue-update");
      if (update) update.hidden = true;
    });
  }

  function poll() {
    if (stopped) return;
    getJSON("/escalations/counts").then(function (counts) {
      showCounts(counts);
      if (queue && counts.version !== queue.getAttribute("data-version")) {
        if (busy()) {
          var update = document.getElementById("queue-update");
          if (update && update.hidden) {
            update.querySelector("[role=status]").textContent = "The queue has changed.";
            update.hidden = false;
          }
        } else {
          refreshQueue();
        }
      }
    }).catch(function () { stopped = true; /* signed out or offline: the page still works */ });
  }

  if (badge) {
    var seconds = parseFloat(badge.getAttribute("data-poll-seconds") || "30");
    window.setInterval(poll, Math.max(1, seconds) * 1000);
  }

  var refresh = document.getElementById("queue-refresh");
  if (refresh && queue) {
    refresh.addEventListener("click", function () {
      refreshQueue().then(function () { queue.focus(); });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-inplace")) return;
    event.preventDefault();
    var row = form.closest("article.qrow");
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      redirect: "error"
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      var data = answer.data;
      if (!data.ok) {
        if (button) button.disabled = false;
        var problem = row && row.querySelector(".row-message");
        if (problem) {
          problem.className = "row-message error";
          problem.textContent = data.message;
          problem.hidden = false;
        }
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = data.html;
      var fresh = holder.firstElementChild;
      row.replaceWith(fresh);
      var done = fresh.querySelector(".row-message");
      if (done) {
        done.className = "row-message done";
        done.textContent = data.message;
        done.hidden = false;
      }
      fresh.focus();
      showCounts(data.counts);
      if (queue && data.version) queue.setAttribute("data-version", data.version);
    }).catch(function () {
      form.submit(); /* no JSON (signed out, offline): the ordinary post says what happened */
    });
  });
})();
