// The crisis card in the chat: a crisis reply's `custom: {crisis_card: ...}` payload (see
// confidant/crisis_card.py for its shape) shown as call and text buttons (tel:, sms:), with the
// same markup as the page footer's card (confidant/web_page.py, crisis_card_html).
//
// The widget (rasa-webchat 1.0.1) shows a custom payload with the `customComponent` it is given,
// a React component. The bundle does not export React, so this file builds React 16 elements
// as the plain objects React itself makes (type, props, key); the version is pinned in
// web/package-lock.json and the browser tests render the card through it.
(function () {
  "use strict";

  var REACT_ELEMENT = typeof Symbol === "function" && Symbol.for ? Symbol.for("react.element") : 0xeac7;

  function h(type, props) {
    var children = Array.prototype.slice.call(arguments, 2).filter(function (child) {
      return child !== null && child !== undefined && child !== false;
    });
    var all = {};
    var key = null;
    Object.keys(props || {}).forEach(function (name) {
      if (name === "key") { key = String(props.key); } else { all[name] = props[name]; }
    });
    if (children.length === 1) { all.children = children[0]; } else if (children.length > 1) { all.children = children; }
    return { $$typeof: REACT_ELEMENT, type: type, key: key, ref: null, props: all, _owner: null };
  }

  function dialable(number) {
    var digits = String(number).replace(/[^0-9]/g, "");
    return /^\s*\+/.test(String(number)) ? "+" + digits : digits;
  }

  function callHref(number) { return "tel:" + dialable(number); }

  // `sms:NUMBER?&body=WORD`: the form both iOS and Android fill in.
  function textHref(number, body) {
    return "sms:" + dialable(number) + (body ? "?&body=" + encodeURIComponent(body) : "");
  }

  function button(key, href, label, number, kind) {
    return h("a", { key: key, className: "crisis-button crisis-" + kind, href: href },
      label + " ", h("span", { className: "crisis-number" }, String(number)));
  }

  function lineButtons(line, index) {
    var buttons = [];
    if (line.call) { buttons.push(button("call" + index, callHref(line.call), "Call", line.call, "call")); }
    if (line.text && line.text_body) {
      buttons.push(button("text" + index, textHref(line.text, line.text_body), "Text " + line.text_body + " to", line.text, "text"));
    } else if (line.text) {
      buttons.push(button("text" + index, textHref(line.text, null), "Text", line.text, "text"));
    }
    return buttons;
  }

  // The card as React elements: a list, the emergency number first, then each line.
  function renderCard(card) {
    var items = [];
    if (card.emergency && card.emergency.call) {
      items.push(h("li", { key: "emergency", className: "crisis-line crisis-emergency" },
        h("span", { className: "crisis-name" }, card.emergency.name || "Emergency"),
        button("emergency", callHref(card.emergency.call), "Call", card.emergency.call, "call")));
    }
    (card.lines || []).forEach(function (line, index) {
      var buttons = lineButtons(line, index);
      if (!buttons.length) { return; }
      items.push(h.apply(null, ["li", { key: "line" + index, className: "crisis-line" },
        h("span", { className: "crisis-name" }, line.name),
        line.note ? h("span", { className: "crisis-note" }, line.note) : null].concat(buttons)));
    });
    return h("div", { className: "crisis-card", role: "group", "aria-label": "Crisis help: call or text now",
      "data-situation": card.situation || "" },
      h("p", { className: "crisis-card-title" }, "Help now, any time"),
      h.apply(null, ["ul", { className: "crisis-lines" }].concat(items)));
  }

  // The widget's customComponent: a crisis card, or nothing for any other custom payload.
  function CrisisCardMessage(props) {
    var card = props && props.crisis_card;
    if (!card || typeof card !== "object") { return null; }
    return renderCard(card);
  }

  window.ConfidantCrisisCard = { component: CrisisCardMessage, callHref: callHref, textHref: textHref };
})();
