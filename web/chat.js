// The demo page's script: the quick exit, then the Rasa web chat widget over socket.io, with
// web/widget_access.js and web/crisis_card.js added to it.
// The widget keeps the conversation in sessionStorage (params.storage "session"): it survives a
// reload in this tab and is gone when the tab closes. Nothing goes to localStorage or cookies.
(function () {
  "use strict";

  // What the widget may leave in this origin's storage (sessionStorage is cleared whole).
  var WIDGET_KEYS = ["chat_session", "rasaWebchatPro", "mrbot_next_message"];
  var status = document.getElementById("chat-status");
  var exit = document.getElementById("quick-exit");
  var leaving = false;

  function wipe() {
    try { window.sessionStorage.clear(); } catch (e) { /* storage unavailable */ }
    try { WIDGET_KEYS.forEach(function (key) { window.localStorage.removeItem(key); }); } catch (e) { /* idem */ }
  }

  function quickExit(event) {
    if (event) { event.preventDefault(); }
    leaving = true;
    // Nothing may write the conversation back while the page unloads.
    try { Storage.prototype.setItem = function () {}; } catch (e) { /* keep going */ }
    wipe();
    var chat = document.getElementById("webchat");
    if (chat) { chat.textContent = ""; }
    document.title = "";
    // replace(): this page leaves the tab's history, so Back does not return to it.
    window.location.replace(exit.getAttribute("data-exit-to") || exit.href);
  }
  exit.addEventListener("click", quickExit);
  window.addEventListener("pagehide", function () { if (leaving) { wipe(); } });

  function showStatus(text) { status.textContent = text; status.hidden = false; }
  function hideStatus() { status.hidden = true; status.textContent = ""; }
  var UNREACHABLE = "The assistant can't be reached right now. The numbers at the bottom of this page work any time.";

  function start() {
    var config = JSON.parse(document.getElementById("confidant-config").textContent);
    if (!window.WebChat || typeof window.WebChat.default !== "function") {
      showStatus("The chat could not load. The numbers at the bottom of this page work any time.");
      return;
    }
    var element = document.getElementById("webchat");
    var widget = null;  // the widget's handle: sendMessage(payload, text shown as the person's)
    var access = window.ConfidantWidgetAccess.enhance(element, {
      starters: config.starters || [],
      announcer: document.getElementById("chat-announcer"),
      send: function (text) { if (widget) { widget.sendMessage(text, text); } }
    });
    window.WebChat.default({
      innerRef: function (handle) { widget = handle; },
      // A crisis reply's card of call and text buttons (web/crisis_card.js).
      customComponent: window.ConfidantCrisisCard.component,
      socketUrl: config.socketUrl,
      socketPath: config.socketPath,
      initPayload: "/greet",
      title: config.title,
      subtitle: config.subtitle,
      inputTextFieldHint: "Type your question...",
      connectingText: "Connecting to the assistant...",
      embedded: true,
      showCloseButton: false,
      showFullScreenButton: false,
      hideWhenNotConnected: false,
      displayUnreadCount: false,
      withRules: false,
      // The widget's default holds each reply back up to 3 s to look like typing; a crisis
      // message must not wait.
      customMessageDelay: function () { return 150; },
      params: { storage: "session" },
      onSocketEvent: {
        connect: function () { hideStatus(); access.startAnnouncing(); },
        connect_error: function () { if (!leaving) { showStatus(UNREACHABLE); } },
        disconnect: function (reason) { if (!leaving && reason !== "io client disconnect") { showStatus(UNREACHABLE); } }
      }
    }, element);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
