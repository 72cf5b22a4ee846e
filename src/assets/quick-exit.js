// "Leave quickly" on partner pages. Without this script the button is a plain link to the
// neutral page. With it, the jump replaces the current history entry (Back does not come
// back to this page), and pressing Escape three times within two seconds does the same.
(function () {
  "use strict";
  function target() {
    var a = document.querySelector("a[data-quick-exit]");
    return a ? a.href : "/away";
  }
  function leave(href) {
    try {
      document.body.style.visibility = "hidden";
    } catch (ignored) {}
    window.location.replace(href);
  }
  document.addEventListener("click", function (e) {
    var el = e.target;
    var a = el && el.closest ? el.closest("a[data-quick-exit]") : null;
    if (!a) {
      return;
    }
    e.preventDefault();
    leave(a.href);
  });
  var presses = [];
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" && e.key !== "Esc") {
      return;
    }
    var now = Date.now();
    presses = presses.filter(function (t) {
      return now - t < 2000;
    });
    presses.push(now);
    if (presses.length >= 3) {
      presses = [];
      leave(target());
    }
  });
})();
