/* Search page (progressive enhancement): the filters start open on wide screens and folded on small ones, so
   results come first on a phone. Without JavaScript the <details> works as it is (and wide screens show the
   filters through CSS). */
(function () {
  "use strict";
  var details = document.getElementById("filters");
  if (!details || !window.matchMedia) { return; }
  if (window.matchMedia("(min-width: 50rem)").matches) { details.open = true; }
})();

/* Drop-downs refreshed out of band after each live search (their counts change): htmx moves the new options in
   one by one, and each arrives selected, so the browser would settle on the last one. The server marks the chosen
   option with `selected`; put the choice back from it. */
(function () {
  "use strict";
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    var select = event.detail && event.detail.target;
    if (!select || select.tagName !== "SELECT") { return; }
    var chosen = select.querySelector("option[selected]");
    select.value = chosen ? chosen.value : "";
  });
})();
