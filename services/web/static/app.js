// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target) return;
      var text = target.textContent.trim();
      var done = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, done);
      } else {
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { document.execCommand("copy"); } catch (e) { /* selection left for the user */ }
        done();
      }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // One idempotency key per form load, so a double submit makes one tip.
  document.querySelectorAll("[data-idempotency]").forEach(function (input) {
    if (!input.value) {
      input.value = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
    }
  });
  var anonymous = document.getElementById("anonymous");
  var contact = document.getElementById("contact-fields");
  if (anonymous && contact) {
    var sync = function () { contact.hidden = anonymous.checked; };
    anonymous.addEventListener("change", sync);
    sync();
  }
  // Live count of ballots cast, read through the same-origin API proxy.
  document.querySelectorAll("[data-live-count]").forEach(function (node) {
    var url = node.getAttribute("data-live-count");
    var poll = function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (m) { if (m) node.textContent = String(m.ballots_cast); })
        .catch(function () {});
    };
    setInterval(poll, 3000);
  });
})();
