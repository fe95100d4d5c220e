/* The demo portal's own script: puts the chat widget on the page and ties the portal's controls to it.
   A static file, not an inline script, so that a Content-Security-Policy can allow only the app's scripts. */
(function () {
  "use strict";
  var lang = document.documentElement.lang;

  // The portal's language switch reloads the page in the other language: the widget follows.
  Array.prototype.forEach.call(document.querySelectorAll(".lang-switch a[data-lang]"), function (link) {
    link.addEventListener("click", function () {
      window.GroupInsuranceChat.setLanguage(link.getAttribute("data-lang"));
    });
  });

  window.GroupInsuranceChat.init({lang: lang, startOpen: false});

  Array.prototype.forEach.call(document.querySelectorAll(".js-open-chat"), function (button) {
    button.addEventListener("click", function () { window.GroupInsuranceChat.open(); });
  });
})();
