// The idle notice: two minutes before the session's idle timeout, offer to stay signed in.
// Reads <meta name="session-idle" content="seconds" data-keepalive="url">, set for a signed-in
// user only. Activity in any tab of the site counts (localStorage), as it does on the server.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="session-idle"]');
  if (!meta) { return; }
  var idle = parseInt(meta.getAttribute("content"), 10);
  var keepAliveUrl = meta.getAttribute("data-keepalive");
  var loginUrl = meta.getAttribute("data-login");
  var csrf = document.body.getAttribute("data-csrf");
  if (!(idle > 0) || !keepAliveUrl) { return; }
  var warnBefore = Math.min(120, Math.floor(idle / 2));
  var storageKey = "crm-last-seen";
  var ownLastSeen = Date.now();
  var notice = null;
  var ended = false;

  function noteActivity() {
    ownLastSeen = Date.now();
    try { window.localStorage.setItem(storageKey, String(ownLastSeen)); } catch (e) { /* private mode */ }
  }

  function lastSeen() {
    var shared = 0;
    try { shared = parseInt(window.localStorage.getItem(storageKey), 10) || 0; } catch (e) { shared = 0; }
    return Math.max(ownLastSeen, shared);
  }

  function build() {
    var box = document.createElement("div");
    box.className = "toast-container position-fixed bottom-0 end-0 p-3 d-print-none";
    box.style.zIndex = "1090";
    box.innerHTML =
      '<div class="toast show border-warning" role="alert" aria-live="assertive" aria-atomic="true" data-testid="idle-notice">' +
      '<div class="toast-header text-bg-warning"><i class="bi bi-clock-history me-2"></i>' +
      '<strong class="me-auto">即将自动退出</strong></div>' +
      '<div class="toast-body"><p class="mb-2" data-role="text"></p>' +
      '<button type="button" class="btn btn-primary btn-sm" data-role="stay" data-testid="idle-stay">继续保持登录</button> ' +
      '<a class="btn btn-outline-secondary btn-sm d-none" data-role="login" data-testid="idle-login">重新登录</a></div></div>';
    box.querySelector('[data-role="stay"]').addEventListener("click", stay);
    var login = box.querySelector('[data-role="login"]');
    login.setAttribute("href", loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    document.body.appendChild(box);
    return box;
  }

  function show(text, expired) {
    if (!notice) { notice = build(); }
    notice.querySelector('[data-role="text"]').textContent = text;
    notice.querySelector('[data-role="stay"]').classList.toggle("d-none", expired);
    notice.querySelector('[data-role="login"]').classList.toggle("d-none", !expired);
  }

  function hide() {
    if (notice) { notice.remove(); notice = null; }
  }

  function expire() {
    ended = true;
    show("长时间未操作，登录已过期。页面上已填写的内容仍可提交，提交后按提示重新登录即可保留。", true);
  }

  function stay() {
    var button = notice && notice.querySelector('[data-role="stay"]');
    if (button) { button.disabled = true; }
    fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!response.ok || !json) { throw new Error("expired"); }
      noteActivity();
      hide();
    }).catch(function () {
      expire();
    });
  }

  function tick() {
    if (ended) { return; }
    var left = idle - Math.floor((Date.now() - lastSeen()) / 1000);
    if (left <= 0) {
      expire();
    } else if (left <= warnBefore) {
      var minutes = Math.floor(left / 60), seconds = left % 60;
      var when = (minutes ? minutes + " 分 " : "") + seconds + " 秒";
      show("您已较长时间未操作，将在 " + when + "后自动退出登录。需要继续工作请点“继续保持登录”。", false);
    } else {
      hide();
    }
  }

  noteActivity();  // this page was just served: the server's idle clock restarted
  document.body.addEventListener("htmx:afterRequest", noteActivity);
  window.setInterval(tick, 1000);
})();
