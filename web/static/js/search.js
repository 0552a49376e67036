/* Search page (progressive enhancement): the filters start open on wide screens and folded on small ones, so
   results come first on a phone. Without JavaScript the <details> works as it is (and wide screens show the
   filters through CSS). */
(function () {
  "use strict";
  var details = document.getElementById("filters");
  if (!details || !window.matchMedia) { return; }
  if (window.matchMedia("(min-width: 50rem)").matches) { details.open = true; }
})();
