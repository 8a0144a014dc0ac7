// Address step. (1) htmx redraws the delivery methods beside the address when the address
// changes; a redraw must never undo the method the shopper picked. Leaving the phone field by
// clicking Express sends a redraw that still says "First class": its answer would uncheck
// Express. And a redraw of the very same methods would replace the radio being clicked or
// focused. So the same methods are not redrawn, and after a redraw the shopper's pick is
// checked again if it is still offered. The redraw is asked for here, with an "address-changed"
// event, when a shipping field changes: an hx-trigger filter would need eval, which the
// Content-Security-Policy forbids. (2) The billing address fields show only when needed.
// Without this file the page still works: the server keeps the posted choices.
(function () {
  "use strict";
  var form = document.getElementById("address-form");
  if (!form) { return; }
  var preview = document.getElementById("delivery-preview");
  var picked = "";  // the delivery method the shopper picked on this page

  // What a fragment offers: each method's code and label (name, fee, days), and its notes.
  function offered(root) {
    var radios = root.querySelectorAll("input[name=delivery_method][type=radio]");
    var codes = Array.prototype.map.call(radios, function (radio) { return radio.value; });
    return codes.join(" ") + "|" + root.textContent.replace(/\s+/g, " ").trim();
  }

  function checkPicked() {
    if (!picked) { return; }
    preview.querySelectorAll("input[name=delivery_method][type=radio]").forEach(function (radio) {
      if (radio.value === picked) { radio.checked = true; }
    });
  }

  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (name === "delivery_method") {
      picked = event.target.value;
    } else if (preview && name.indexOf("billing-") !== 0) {
      preview.dispatchEvent(new Event("address-changed"));
    }
  });

  if (preview) {
    preview.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.target !== preview || !event.detail.shouldSwap) { return; }
      var incoming = document.createElement("template");
      incoming.innerHTML = event.detail.serverResponse;
      if (offered(incoming.content) === offered(preview)) { event.detail.shouldSwap = false; }
    });
    preview.addEventListener("htmx:afterSwap", checkPicked);
  }

  var same = form.querySelector("input[name='billing-same_as_shipping']");
  var billing = form.querySelector("[data-billing-address]");
  var book = form.querySelector("select[name='billing-address_id']");
  var typed = form.querySelector("[data-billing-fields]");

  function showBilling() {
    if (!same || !billing) { return; }
    billing.hidden = same.checked;
    if (book && typed) { typed.hidden = book.value !== "new"; }
  }

  form.addEventListener("change", showBilling);
  showBilling();
}());
