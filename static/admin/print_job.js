// Batch print progress: poll the job's JSON and move the bar; show the
// download link when the PDF is ready, and 打印服务未运行 while no worker runs. No inline script (strict CSP).
(function () {
  "use strict";
  var box = document.getElementById("print-job");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-status");
  var percent = document.getElementById("job-percent");
  var link = document.getElementById("job-download");
  var workerDown = document.getElementById("worker-down");
  var labels = { queued: "排队中…", running: "正在生成：", done: "已完成：", failed: "生成失败：" };

  function show(state) {
    box.setAttribute("data-status", state.status);
    bar.max = state.total || 1;
    bar.value = state.done;
    bar.textContent = state.percent + "%";
    percent.textContent = state.percent + "%";
    if (state.status === "running") {
      text.textContent = labels.running + state.done + " / " + state.total;
    } else if (state.status === "done") {
      text.textContent = state.empty ? "所选月份没有已公布的公示。" : labels.done + "共 " + state.total + " 份公示。";
    } else if (state.status === "failed") {
      text.textContent = labels.failed + (state.error || "");
    } else {
      text.textContent = labels.queued + (state.error ? "（" + state.error + "）" : "");
    }
    if (workerDown) { workerDown.hidden = state.worker_running || !(state.status === "queued" || state.status === "running"); }
    if (state.download_url) {
      link.href = state.download_url;
      link.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (state) {
        show(state);
        if (state.status === "queued" || state.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  var status = box.getAttribute("data-status");
  if (status === "queued" || status === "running") { window.setTimeout(poll, 500); }
}());
