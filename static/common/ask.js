/* 我有疑问 on a phone notice page (templates/mobile/_question_box.html).
   The page is cached and shared by every visitor (disclosure/pagecache.py),
   so its form carries no CSRF token. This script shows the form in place of
   the link to the form page and, on 提交, fetches this visitor's own token
   from an uncached address (/m/form-token) and sends the form with it: the
   token is always this session's and fresh, however old the page is (a
   304, the back button, the offline copy). Without script the link stays. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-token-url]");
  if (!form || !window.fetch) { return; }
  var link = document.getElementById("ask-page-link");
  var status = document.getElementById("ask-status");
  var sending = false;
  form.hidden = false;
  if (link) { link.hidden = true; }

  function tokenField() {
    var field = form.querySelector("input[name=csrf_token]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "csrf_token";
      form.insertBefore(field, form.firstChild);
    }
    return field;
  }

  function refused() {
    sending = false;
    if (status) {
      status.textContent = "网络不通，问题还没有提交。请稍后再点“提交”。";
      status.hidden = false;
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    fetch(form.getAttribute("data-token-url"), {
      credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("token " + response.status); }
      return response.json();
    }).then(function (data) {
      tokenField().value = data.csrf_token;
      if (status) { status.hidden = true; }
      form.submit();  // no submit event: this handler does not run again
    }).catch(refused);
  });
  // Back to this page from the next one (the browser's page cache): the form may be sent again.
  window.addEventListener("pageshow", function () { sending = false; });
})();
