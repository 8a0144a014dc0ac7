// Payment step: the card number goes from the browser to the payment provider only. The card
// inputs have no name, so the form never sends them; we fetch a token for them and post that.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form) { return; }
  var TOKENS_URL = "/api/v1/test-gateway/tokens";
  var tokenInput = form.querySelector("input[name=card_token]");
  var labelInput = form.querySelector("input[name=card_label]");
  var errorBox = document.getElementById("card-error");

  function chosenMethod() {
    var checked = form.querySelector("input[name=method]:checked");
    return checked ? checked.value : "";
  }

  // Show only the parts the chosen method needs.
  function showParts() {
    var method = chosenMethod();
    form.querySelectorAll("fieldset[data-for]").forEach(function (part) {
      part.hidden = part.getAttribute("data-for").split(" ").indexOf(method) < 0;
    });
  }

  function value(id) { return document.getElementById(id).value.trim(); }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function problemText(body) {
    var parts = [body.detail || "The card could not be checked."];
    Object.keys(body.errors || {}).forEach(function (field) {
      body.errors[field].forEach(function (message) {
        if (parts.indexOf(message) < 0) { parts.push(message); }
      });
    });
    return parts.join(" ");
  }

  function cardNeeded() {
    var method = chosenMethod();
    return method === "card" || (method === "gift_card" && value("card-number") !== "");
  }

  form.addEventListener("change", showParts);
  showParts();

  form.addEventListener("submit", function (event) {
    if (!cardNeeded() || tokenInput.value) { return; }
    event.preventDefault();
    showError("");
    var submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    fetch(TOKENS_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: JSON.stringify({
        number: value("card-number"),
        exp_month: parseInt(value("card-exp-month"), 10) || 0,
        exp_year: parseInt(value("card-exp-year"), 10) || 0,
        cvc: value("card-cvc")
      })
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) {
        submit.disabled = false;
        showError(problemText(result.body));
        return;
      }
      tokenInput.value = result.body.token;
      labelInput.value = result.body.brand + " •••• " + result.body.last4;
      form.submit();
    }).catch(function () {
      submit.disabled = false;
      showError("The payment provider could not be reached. Please try again.");
    });
  });
}());
