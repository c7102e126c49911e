// Minimal chat over Rasa's REST channel. The transcript lives in sessionStorage only: it
// survives a reload in this tab and is gone when the tab closes. Quick exit wipes it at once.
(function () {
  "use strict";
  var STORE = "confidant.chat";
  var chat = document.getElementById("chat");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");

  function load() {
    try { return JSON.parse(sessionStorage.getItem(STORE)) || null; } catch (e) { return null; }
  }
  function newState() {
    var id = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now()).replace(/[^A-Za-z0-9-]/g, "");
    return { sender: "web-" + id, transcript: [] };
  }
  var state = load() || newState();
  function save() { sessionStorage.setItem(STORE, JSON.stringify(state)); }

  function render(entry) {
    var bubble = document.createElement("div");
    bubble.className = "bubble " + entry.from;
    bubble.textContent = entry.text;  // text only: a message can never become markup
    chat.appendChild(bubble);
    if (entry.buttons && entry.buttons.length) {
      var row = document.createElement("div");
      row.className = "buttons";
      entry.buttons.forEach(function (button) {
        var element = document.createElement("button");
        element.type = "button";
        element.textContent = button.title;
        element.addEventListener("click", function () { send(button.payload, button.title); });
        row.appendChild(element);
      });
      chat.appendChild(row);
    }
    window.scrollTo(0, document.body.scrollHeight);
  }
  function add(entry) { state.transcript.push(entry); save(); render(entry); }

  function send(payload, shown) {
    if (shown !== false) { add({ from: "user", text: shown || payload }); }
    fetch(window.CONFIDANT_RASA_URL + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: payload })
    }).then(function (response) { return response.json(); })
      .then(function (body) {
        var messages = Array.isArray(body) ? body : (body.messages || []);
        if (!Array.isArray(body) && body.detail) { add({ from: "bot", text: body.detail }); }
        messages.forEach(function (message) {
          if (message.text) { add({ from: "bot", text: message.text, buttons: message.buttons || [] }); }
        });
      })
      .catch(function () {
        add({ from: "bot", text: "Sorry, the assistant can't be reached right now. The numbers at the bottom of this page work any time." });
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text);
  });

  document.getElementById("quick-exit").addEventListener("click", function () {
    sessionStorage.clear();
    try { localStorage.removeItem(STORE); } catch (e) { /* nothing stored there */ }
    chat.textContent = "";
    window.location.replace("https://www.google.com/search?q=weather");
  });

  // A new conversation opens with the assistant's welcome and disclaimer.
  if (state.transcript.length) { state.transcript.forEach(render); } else { save(); send("/greet", false); }
})();
