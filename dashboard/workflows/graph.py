"""A workflow run drawn as server-side SVG: steps in columns by depth, edges between them.

No script and no inline style (the Content-Security-Policy forbids both): every shape has
classes the page's CSS colours by status, each status also has its own symbol, and every
step links to its task page. A column of more steps than fit is drawn as one group node
counting its steps by status; the table beside the picture lists every step.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dashboard.templatetags.dashboard import BADGE_SYMBOLS
from scheduler_core.domain import Task
from scheduler_core.services import RunView

NODE_WIDTH = 150
NODE_HEIGHT = 34
COLUMN_GAP = 56
ROW_GAP = 12
MARGIN = 8
# More steps than this in one column are drawn as a single group node.
MAX_PER_COLUMN = 12
# A label longer than this is cut, the full key stays in the tooltip.
LABEL_CHARS = 18


# The arrow head every edge ends in.
ARROW = SafeString(
    '<defs><marker id="wf-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="8" '
    'markerHeight="8" orient="auto"><path class="wf-arrow" d="M0,0 L8,4 L0,8 z"></path>'
    "</marker></defs>"
)


@dataclass(frozen=True, slots=True)
class Node:
    """One box: a step, or a group of the steps of a crowded column."""

    id: str
    column: int
    row: int
    steps: tuple[Task, ...]

    @property
    def is_group(self) -> bool:
        """True for a node standing for several steps."""
        return len(self.steps) > 1


def depths(view: RunView) -> dict[UUID, int]:
    """Each step's column: the length of the longest path of steps before it."""
    parents: dict[UUID, list[UUID]] = defaultdict(list)
    for edge in view.edges:
        parents[edge.child_id].append(edge.parent_id)
    depth: dict[UUID, int] = {}
    for task in view.parents_first():
        depth[task.id] = max((depth[p] + 1 for p in parents[task.id]), default=0)
    return depth


def layout(view: RunView) -> list[Node]:
    """The nodes of the picture, column by column."""
    columns: dict[int, list[Task]] = defaultdict(list)
    depth = depths(view)
    for task in view.parents_first():
        columns[depth[task.id]].append(task)
    nodes = []
    for column, tasks in sorted(columns.items()):
        if len(tasks) > MAX_PER_COLUMN:
            nodes.append(Node(f"group-{column}", column, 0, tuple(tasks)))
            continue
        for row, task in enumerate(sorted(tasks, key=lambda t: str(t.step_key))):
            nodes.append(Node(str(task.id), column, row, (task,)))
    return nodes


def graph_svg(view: RunView, task_url: Callable[[UUID], str]) -> SafeString:
    """The run as an <svg> with role="img", its summary as the label."""
    nodes = layout(view)
    if not nodes:
        return SafeString("")
    node_of = {task.id: node for node in nodes for task in node.steps}
    columns = max(node.column for node in nodes) + 1
    rows = max(node.row for node in nodes) + 1
    width = MARGIN * 2 + columns * NODE_WIDTH + (columns - 1) * COLUMN_GAP
    height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
    links = {(node_of[e.parent_id].id, node_of[e.child_id].id) for e in view.edges}
    by_id = {node.id: node for node in nodes}
    edges = format_html_join(
        "",
        '<line class="wf-edge" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
        (
            (
                _x(by_id[a]) + NODE_WIDTH,
                _y(by_id[a]) + NODE_HEIGHT // 2,
                _x(by_id[b]),
                _y(by_id[b]) + NODE_HEIGHT // 2,
            )
            for a, b in sorted(links)
        ),
    )
    boxes = SafeString("".join(_node(node, task_url) for node in nodes))
    counts = ", ".join(f"{n} {status}" for status, n in sorted(view.counts().items()))
    return format_html(
        '<svg class="wf-graph" xmlns="http://www.w3.org/2000/svg" role="img" width="{}" '
        'height="{}" viewBox="0 0 {} {}" aria-label="{}">{}{}{}</svg>',
        width,
        height,
        width,
        height,
        f"Workflow {view.run.name}: {len(view.steps)} steps ({counts})",
        ARROW,
        edges,
        boxes,
    )


def _node(node: Node, task_url: Callable[[UUID], str]) -> SafeString:
    x, y = _x(node), _y(node)
    if node.is_group:
        tally = Counter(task.status.value for task in node.steps)
        worst = _dominant(tally)
        summary = " ".join(f"{BADGE_SYMBOLS.get(s, '•')}{n}" for s, n in sorted(tally.items()))
        return format_html(
            '<g class="wf-node wf-group status-{}">'
            '<rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>'
            '<text x="{}" y="{}">{} steps</text><text class="wf-tally" x="{}" y="{}">{}</text>'
            "<title>{} steps: {}</title></g>",
            worst,
            x,
            y,
            NODE_WIDTH,
            NODE_HEIGHT,
            x + 8,
            y + 14,
            len(node.steps),
            x + 8,
            y + 28,
            summary,
            len(node.steps),
            ", ".join(f"{n} {s}" for s, n in sorted(tally.items())),
        )
    [task] = node.steps
    status = task.status.value
    key = str(task.step_key)
    label = key if len(key) <= LABEL_CHARS else key[: LABEL_CHARS - 1] + "…"
    return format_html(
        '<a href="{}"><g class="wf-node status-{}">'
        '<rect x="{}" y="{}" width="{}" height="{}" rx="6"></rect>'
        '<text x="{}" y="{}"><tspan aria-hidden="true">{}</tspan> {}</text>'
        "<title>{}: {} ({})</title></g></a>",
        task_url(task.id),
        status,
        x,
        y,
        NODE_WIDTH,
        NODE_HEIGHT,
        x + 8,
        y + 22,
        BADGE_SYMBOLS.get(status, "•"),
        label,
        key,
        status,
        task.name,
    )


def _dominant(tally: Counter[str]) -> str:
    """The status a group is coloured by: the most alarming one present."""
    for status in ("failed", "cancelled", "running", "retrying", "ready", "blocked", "scheduled"):
        if tally.get(status):
            return status
    return "succeeded"


def _x(node: Node) -> int:
    return MARGIN + node.column * (NODE_WIDTH + COLUMN_GAP)


def _y(node: Node) -> int:
    return MARGIN + node.row * (NODE_HEIGHT + ROW_GAP)


def step_rows(view: RunView) -> Sequence[tuple[Task, list[Task]]]:
    """The table alternative: every step, parents first, with the steps it waits for."""
    parents = view.parents_by_child()
    return [(task, parents.get(task.id, [])) for task in view.parents_first()]
