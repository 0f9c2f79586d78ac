// The episode viewer: window.REPORT (data.js) holds, per episode, its views (frame, model output,
// action, feedback, ground-truth boxes). Arrow keys step and switch episodes; "b" toggles boxes.
(function () {
  "use strict";
  const episodes = window.REPORT.episodes;
  const $ = (id) => document.getElementById(id);
  const select = $("episode"), img = $("frame"), canvas = $("overlay"), boxes = $("boxes");
  let ep = 0, view = 0;

  episodes.forEach((e, i) => {
    const opt = document.createElement("option");
    opt.value = String(i);
    opt.textContent = `${e.run} · ${e.subset} · #${e.index} · ${e.task_type} · ${e.success ? "success" : "fail"}`;
    select.appendChild(opt);
  });

  function drawBoxes(v) {
    const ctx = canvas.getContext("2d");
    canvas.width = img.naturalWidth || 224;
    canvas.height = img.naturalHeight || 224;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!boxes.checked) return;
    ctx.lineWidth = Math.max(1, canvas.width / 224);
    ctx.font = `${Math.max(8, canvas.width / 28)}px sans-serif`;
    for (const b of v.boxes) {
      const [x0, y0, x1, y1] = b.box;
      ctx.strokeStyle = "#ffeb3b";
      ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, y1 - y0 - 1);
      ctx.fillStyle = "#ffeb3b";
      ctx.fillText(b.name, x0 + 2, Math.max(y0 - 2, 10));
    }
  }

  function show() {
    const e = episodes[ep], v = e.views[view];
    select.value = String(ep);
    $("counter").textContent = ` step ${view} / ${e.views.length - 1} `;
    $("instruction").textContent = `Instruction: ${e.instruction}`;
    $("action").textContent = v.action;
    $("valid").textContent = view === 0 ? "" : (v.valid ? "✓ valid" : "✗ invalid");
    $("valid").className = v.valid ? "ok" : "bad";
    $("feedback").textContent = v.feedback || "-";
    $("progress").textContent = (100 * v.progress).toFixed(0) + "%";
    $("turn").textContent = String(v.turn);
    $("output").textContent = v.output || "";
    if (v.frame) {
      img.onload = () => drawBoxes(v);
      img.src = v.frame;
    } else {
      img.removeAttribute("src");
      drawBoxes(v);
    }
  }

  function step(d) { view = Math.min(Math.max(view + d, 0), episodes[ep].views.length - 1); show(); }
  function pick(i) { ep = (i + episodes.length) % episodes.length; view = 0; show(); }

  select.addEventListener("change", () => pick(Number(select.value)));
  $("prev").addEventListener("click", () => step(-1));
  $("next").addEventListener("click", () => step(1));
  boxes.addEventListener("change", show);
  document.addEventListener("keydown", (ev) => {
    if (ev.target === select) return;
    const keys = { ArrowRight: () => step(1), ArrowLeft: () => step(-1), ArrowDown: () => pick(ep + 1),
                   ArrowUp: () => pick(ep - 1), b: () => { boxes.checked = !boxes.checked; show(); } };
    if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
  });
  if (episodes.length) show();
})();
