// Maps: hovering or focusing a unit on the map highlights its row in the table, and the other way
// round. Everything else (tooltips, links) works without this file.
(function () {
  "use strict";
  function pair(code) {
    return document.querySelectorAll('.ketnoi-map a[data-code="' + code + '"], table.map-values tr[data-code="' + code + '"]');
  }
  function set(code, on) {
    pair(code).forEach(function (el) { el.classList.toggle("active", on); });
  }
  ["mouseover", "focusin"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var el = event.target.closest && event.target.closest("[data-code]");
      if (el) set(el.getAttribute("data-code"), true);
    });
  });
  ["mouseout", "focusout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var el = event.target.closest && event.target.closest("[data-code]");
      if (el) set(el.getAttribute("data-code"), false);
    });
  });
})();
