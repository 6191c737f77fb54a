// Beside a workshop's times (shown in its own time zone), the same moment in the reader's time zone,
// when it differs. Without JavaScript the workshop's time, with its zone named, stays.
(function () {
  "use strict";
  var readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    dateStyle: "long", timeStyle: "short", timeZone: readerZone
  });
  document.querySelectorAll("[data-local-time]").forEach(function (element) {
    var moment = new Date(element.getAttribute("data-local-time"));
    if (isNaN(moment.getTime())) { return; }
    var zone = document.querySelector("[data-workshop-zone]");
    if (zone && zone.getAttribute("data-workshop-zone") === readerZone) { return; }
    element.textContent = "(" + element.getAttribute("data-label") + " " + format.format(moment) + ", " + readerZone + ")";
  });
})();
