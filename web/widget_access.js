// What the page adds to the Rasa web chat widget (rasa-webchat 1.0.1), which it uses unchanged:
// - names for its send button, text box and title, and a message list reachable by keyboard;
// - quick replies and starter questions as real <button>s (the widget draws replies as <div>s
//   that Tab skips: each real button clicks the widget's own, so the widget keeps its state);
// - the assistant's replies read out through a polite live region (#chat-announcer);
// - after a crisis reply, its start stays at the top of the message list (the widget scrolls to
//   the newest message, which pushed the crisis reply out of view) until the person scrolls or
//   writes again.
// It works on the widget's DOM from a MutationObserver, so it keeps up with React's renders.
(function () {
  "use strict";

  var SELECTORS = {
    messages: "#rw-messages",
    send: ".rw-send",
    input: ".rw-new-message",
    title: ".rw-header .rw-title",
    widgetReplies: ".rw-replies",
    response: ".rw-from-response .rw-response",
    clientMessage: ".rw-from-client",
    crisisCard: ".crisis-card"
  };
  var ANNOUNCED_KEPT = 5;
  var PIN_MARGIN_PX = 8;
  var SCROLL_KEYS = ["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "];

  function textOf(node) { return (node.innerText || node.textContent || "").replace(/\s+/g, " ").trim(); }

  function enhance(root, options) {
    var send = options.send;               // function(text): sends a message as the person
    var starters = options.starters || []; // questions offered under the welcome
    var announcer = options.announcer;     // the polite live region
    var seen = typeof WeakSet === "function" ? new WeakSet() : null;
    var announcing = false;
    var pinned = null;                      // the first message of the crisis reply kept in view
    var list = null;

    function markSeen(node) { if (seen) { seen.add(node); } else { node.setAttribute("data-cf-seen", ""); } }
    function isSeen(node) { return seen ? seen.has(node) : node.hasAttribute("data-cf-seen"); }

    function label() {
      var button = root.querySelector(SELECTORS.send);
      if (button && !button.hasAttribute("aria-label")) {
        button.setAttribute("aria-label", "Send");
        var icon = button.querySelector("svg");
        if (icon) { icon.setAttribute("aria-hidden", "true"); icon.setAttribute("focusable", "false"); }
      }
      var input = root.querySelector(SELECTORS.input);
      if (input && !input.hasAttribute("aria-label")) { input.setAttribute("aria-label", "Your message"); }
      var title = root.querySelector(SELECTORS.title);
      if (title && !title.hasAttribute("aria-level")) { title.setAttribute("aria-level", "2"); }
      var messages = root.querySelector(SELECTORS.messages);
      if (messages && messages !== list) {
        list = messages;
        // A scrolling region must be reachable by keyboard to be scrolled (WCAG 2.1.1).
        messages.setAttribute("tabindex", "0");
        messages.setAttribute("role", "region");
        messages.setAttribute("aria-label", "Conversation");
        watchScrolling(messages);
      }
    }

    function focusInput() {
      var input = root.querySelector(SELECTORS.input);
      if (input) { input.focus(); }
    }

    function realButton(text, onClick, className) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = className;
      button.textContent = text;
      button.addEventListener("click", onClick);
      return button;
    }

    // Each group of the widget's <div> replies gets a group of <button>s in its place.
    function replies() {
      Array.prototype.forEach.call(root.querySelectorAll(".cf-replies"), function (group) {
        if (!group.cfSource || !group.cfSource.isConnected) { group.parentNode.removeChild(group); }
      });
      Array.prototype.forEach.call(root.querySelectorAll(SELECTORS.widgetReplies), function (source) {
        if (source.cfMirror && source.cfMirror.isConnected) { return; }
        var group = document.createElement("div");
        group.className = "cf-replies";
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", "Reply options");
        group.cfSource = source;
        Array.prototype.forEach.call(source.children, function (reply) {
          if (reply.tagName === "A") { group.appendChild(reply.cloneNode(true)); return; }
          group.appendChild(realButton(textOf(reply), function () {
            reply.click();  // the widget's own handler: it sends the payload and records the choice
            focusInput();
          }, "cf-reply"));
        });
        source.classList.add("cf-replaced");
        source.setAttribute("aria-hidden", "true");
        source.cfMirror = group;
        source.parentNode.insertBefore(group, source.nextSibling);
      });
    }

    // Starter questions under the welcome, until the person has written anything.
    function starterQuestions() {
      var existing = root.querySelector(".cf-starters");
      var written = root.querySelector(SELECTORS.clientMessage);
      if (written) { if (existing) { existing.parentNode.removeChild(existing); } return; }
      if (existing || !starters.length) { return; }
      var welcome = root.querySelector(".rw-from-response .rw-message");
      if (!welcome) { return; }
      var group = document.createElement("div");
      group.className = "cf-starters";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Suggested questions");
      starters.forEach(function (question) {
        group.appendChild(realButton(question, function () { send(question); focusInput(); }, "cf-reply cf-starter"));
      });
      welcome.parentNode.insertBefore(group, welcome.nextSibling);
      // Show the starters, but never at the cost of the welcome's first lines (the disclaimer).
      if (list && !pinned) {
        var welcomeTop = welcome.getBoundingClientRect().top - list.getBoundingClientRect().top + list.scrollTop;
        list.scrollTop = Math.min(list.scrollHeight - list.clientHeight, Math.max(0, welcomeTop - PIN_MARGIN_PX));
      }
    }

    function announce(text) {
      if (!announcer || !text) { return; }
      var line = document.createElement("p");
      line.textContent = text;
      announcer.appendChild(line);
      while (announcer.childNodes.length > ANNOUNCED_KEPT) { announcer.removeChild(announcer.firstChild); }
    }

    // The assistant's new messages (not the ones restored after a reload) are read out. The
    // widget draws a custom message's component anew on every render, so a message is known by
    // its .rw-message element, which it keeps.
    function newReplies() {
      var nodes = root.querySelectorAll(SELECTORS.response + ", " + SELECTORS.crisisCard);
      Array.prototype.forEach.call(nodes, function (node) {
        var message = messageOf(node);
        if (isSeen(message)) { return; }
        markSeen(message);
        if (announcing) { announce(textOf(node)); }
        if (node.matches(SELECTORS.crisisCard)) { crisisArrived(node); }
      });
    }

    function messageOf(node) { return node.closest(".rw-message") || node; }

    function isAfter(a, b) { return !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_PRECEDING); }

    // The crisis reply starts with the message just before its card (the card follows the text).
    function crisisArrived(card) {
      var clients = root.querySelectorAll(SELECTORS.clientMessage);
      var lastClient = clients.length ? clients[clients.length - 1] : null;
      if (lastClient && isAfter(lastClient, card)) { return; }  // answered since: leave it
      var message = messageOf(card);
      var before = message.previousElementSibling;
      pinned = before && before.classList.contains("rw-message") ? before : message;
      keepPinned();
    }

    function keepPinned() {
      if (!pinned || !list) { return; }
      if (!pinned.isConnected) { pinned = null; return; }
      var offset = pinned.getBoundingClientRect().top - list.getBoundingClientRect().top - PIN_MARGIN_PX;
      if (Math.abs(offset) > 1) { list.scrollTop += offset; }
    }

    function unpin() { pinned = null; }

    function watchScrolling(messages) {
      // The person scrolling takes over; the widget scrolling to the bottom does not.
      messages.addEventListener("wheel", unpin, { passive: true });
      messages.addEventListener("touchstart", unpin, { passive: true });
      messages.addEventListener("mousedown", unpin);
      // Tabbing to a button further down (a quick reply) lets the browser scroll it into view.
      messages.addEventListener("focusin", function (event) { if (event.target !== messages) { unpin(); } });
      messages.addEventListener("keydown", function (event) { if (SCROLL_KEYS.indexOf(event.key) >= 0) { unpin(); } });
      messages.addEventListener("scroll", function () { if (pinned) { keepPinned(); } }, { passive: true });
      if (typeof ResizeObserver === "function") { new ResizeObserver(keepPinned).observe(messages); }
    }

    function clientWrote() {
      var clients = root.querySelectorAll(SELECTORS.clientMessage);
      var last = clients.length ? clients[clients.length - 1] : null;
      if (pinned && last && !isSeen(last) && isAfter(last, pinned)) { pinned = null; }
      if (last) { markSeen(last); }
    }

    function update() {
      label();
      clientWrote();
      newReplies();
      replies();
      starterQuestions();
      keepPinned();
    }

    new MutationObserver(update).observe(root, { childList: true, subtree: true });
    window.addEventListener("resize", keepPinned);
    update();

    return {
      // Replies that arrive from now on are read out (not the transcript restored on a reload).
      startAnnouncing: function () { newReplies(); announcing = true; },
      update: update
    };
  }

  window.ConfidantWidgetAccess = { enhance: enhance };
})();
