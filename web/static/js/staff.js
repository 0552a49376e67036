// Staff pages: keyboard navigation of the review queue (progressive enhancement: without this script the queue
// is a plain list of links). j / k move the focus to the next / previous listing, Enter opens it (the focused
// element is the listing's own link), x ticks or unticks it for a bulk action.
(function () {
  "use strict";
  var list = document.querySelector("[data-keyboard-list]");
  if (!list) { return; }
  var rows = Array.prototype.slice.call(list.querySelectorAll("tbody tr[data-provider]"));
  if (!rows.length) { return; }
  var help = document.querySelector(".kbd-help");
  if (help) { help.hidden = false; }
  var current = -1;

  function linkOf(row) { return row.querySelector("a"); }

  function select(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("is-current"); }
    current = index;
    rows[current].classList.add("is-current");
    var link = linkOf(rows[current]);
    if (link) { link.focus(); }
  }

  rows.forEach(function (row, i) {
    row.addEventListener("focusin", function () {
      if (current >= 0 && current !== i) { rows[current].classList.remove("is-current"); }
      current = i;
      row.classList.add("is-current");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    var typing = (tag === "input" && !/^(checkbox|radio)$/.test(target.type)) || tag === "textarea" ||
      tag === "select" || (target && target.isContentEditable);
    if (typing) { return; }
    if (event.key === "j") { select(current < 0 ? 0 : Math.min(current + 1, rows.length - 1)); event.preventDefault(); }
    else if (event.key === "k") { select(current < 0 ? 0 : Math.max(current - 1, 0)); event.preventDefault(); }
    else if (event.key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; }
      event.preventDefault();
    }
  });
}());
