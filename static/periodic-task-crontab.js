// The periodic task form in the admin: under the crontab field, say in words when the chosen
// schedule runs (django-celery-beat's own script, as a file, and writing text, not HTML).
"use strict";
(function () {
  const $ = django.jQuery;
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const translation = document.createElement("div");
  const show = function () {
    const chosen = readable[$("#id_crontab").val()];
    translation.textContent = chosen ? "Translation: " + chosen : "";
  };
  $(".field-crontab .help").append(translation);
  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", show);
  show();
})();
