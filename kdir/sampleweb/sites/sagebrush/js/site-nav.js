/* Sagebrush site chrome: the header menu and the footer are written by this script on every page.
   Menu entries are buttons and list items with click handlers; none of them is an <a href>. The FAQ entry names
   a route, not an address: go() looks it up when clicked, so only a click shows where it leads. */
var ROUTES = {questions: "/faq/"};
function go(route) { window.location.href = ROUTES[route] || "/"; }
(function () {
  "use strict";
  var header = document.getElementById("site-header");
  var footer = document.getElementById("site-footer");
  if (header) {
    header.innerHTML =
      '<div class="brand" onclick="location.href=\'/\'">Sagebrush Ketamine Center</div>' +
      '<nav class="main-nav" aria-label="Main"><ul class="menu">' +
      '<li><button type="button" onclick="location.href=\'/\'">Home</button></li>' +
      '<li><button type="button" onclick="window.location.href = \'/team/\'">Our team</button></li>' +
      '<li class="has-dropdown"><button type="button" aria-haspopup="true" aria-expanded="false">Patients</button>' +
      '<ul class="dropdown" role="menu" hidden>' +
      '<li role="menuitem" tabindex="0" onclick="window.location=\'/pricing/\'">Fees</li>' +
      '<li role="menuitem" tabindex="0" onclick="go(\'questions\')">FAQ</li>' +
      '</ul></li>' +
      '<li><button type="button" onclick="location.assign(\'/contact/\')">Contact</button></li>' +
      '</ul></nav>';
    // the dropdown opens on hover
    var drop = header.querySelector(".has-dropdown");
    var list = drop.querySelector(".dropdown");
    drop.addEventListener("mouseenter", function () { list.hidden = false; });
    drop.addEventListener("mouseleave", function () { list.hidden = true; });
  }
  if (footer) {
    footer.innerHTML =
      '<p>Sagebrush Ketamine Center, 50 W Liberty St, Suite 880, Reno, NV 89501</p>' +
      '<p>Call (775) 555-0114</p>' +
      '<p><button type="button" class="link" onclick="location.href=\'/staff-portal/\'">Staff sign-in</button></p>' +
      '<p>&copy; 2026 Sagebrush Ketamine Center, PLLC</p>';
  }
})();
