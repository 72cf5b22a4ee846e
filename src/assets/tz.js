// Preselects the browser's own time zone in a time-zone picker that still shows the
// default (UTC), when that zone is in the list. Nothing else; the form works without it.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) {
    return;
  }
  var pickers = document.querySelectorAll("select[data-tz-guess]");
  for (var i = 0; i < pickers.length; i++) {
    var select = pickers[i];
    for (var j = 0; j < select.options.length; j++) {
      if (select.options[j].value === zone) {
        select.value = zone;
        break;
      }
    }
  }
})();
