"""The report page: tables (escaped HTML), figures, and the shell of the episode viewer, whose
data go to ``data.js`` (a script, because a page opened from disk may not fetch JSON)."""

from __future__ import annotations

from html import escape

COLUMNS = {"task_success": "success", "task_progress": "progress", "num_steps": "steps",
           "num_invalid_actions": "invalid", "planner_output_error": "unreadable", "empty_plan": "empty plan"}


def cell(block: dict, key: str, percent: bool = False) -> str:
    if key not in block:
        return "<td>-</td>"
    scale = 100 if percent else 1
    mean, ci = block[key] * scale, block.get("ci95", {}).get(key)
    text = f"{mean:.1f}" if percent else f"{mean:.2f}"
    if ci is not None:
        text += f" <span class=ci>± {ci * scale:.1f}</span>" if percent else f" <span class=ci>± {ci:.2f}</span>"
    return f"<td>{text}</td>"


def metrics_table(rows: list[tuple[str, dict]], caption: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in ("", "n", *COLUMNS.values()))
    body = []
    for name, block in rows:
        cells = "".join(cell(block, k, percent=k in ("task_success", "task_progress")) for k in COLUMNS)
        body.append(f"<tr><th>{escape(name)}</th><td>{block.get('num_episodes', 0)}</td>{cells}</tr>")
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def comparison_table(names: list[str], summaries: list[dict]) -> str:
    """The stage table: one row per run, overall success and progress, then success per subset."""
    subsets = sorted({s for summary in summaries for s in summary["by_subset"]})
    head = "".join(f"<th>{escape(h)}</th>" for h in ("run", "n", "success %", "progress %", *subsets))
    body = []
    for name, s in zip(names, summaries):
        per = "".join(cell(s["by_subset"][x], "task_success", True) if x in s["by_subset"] else "<td>-</td>"
                      for x in subsets)
        body.append(f"<tr><th>{escape(name)}</th><td>{s['num_episodes']}</td>{cell(s, 'task_success', True)}"
                    f"{cell(s, 'task_progress', True)}{per}</tr>")
    return (f"<table class=compare><caption>Runs side by side: success and progress in %, ± half-width of the 95% "
            f"confidence interval</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def page(title: str, sections: list[str], has_viewer: bool) -> str:
    viewer = """
<section id=viewer>
 <h2>Episodes</h2>
 <p class=keys>Keys: <kbd>&larr;</kbd> <kbd>&rarr;</kbd> step, <kbd>&uarr;</kbd> <kbd>&darr;</kbd> episode,
 <kbd>b</kbd> ground-truth boxes.</p>
 <div class=controls><select id=episode></select>
  <button id=prev>&larr; step</button><span id=counter></span><button id=next>step &rarr;</button>
  <label><input type=checkbox id=boxes> boxes</label></div>
 <div class=stage>
  <div class=framebox><img id=frame alt="frame"><canvas id=overlay></canvas></div>
  <div class=text>
   <p id=instruction></p>
   <p><b>action</b> <span id=action></span> <span id=valid></span></p>
   <p><b>feedback</b> <span id=feedback></span></p>
   <p><b>progress</b> <span id=progress></span></p>
   <p><b>model output</b> (turn <span id=turn></span>)</p><pre id=output></pre>
  </div>
 </div>
</section>
<script src="data.js"></script><script src="viewer.js"></script>""" if has_viewer else ""
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>
<link rel=stylesheet href="style.css"></head>
<body><h1>{escape(title)}</h1>
{''.join(sections)}
{viewer}
</body></html>
"""
