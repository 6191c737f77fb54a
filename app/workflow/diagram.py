"""A workflow drawn as SVG from its definition: no external service, no script.

States are boxes laid out left to right by their distance from the initial
state; transitions are labelled arrows (backward ones curve below). The
current state is drawn heavier and named in the title and description, so
it is not told by colour alone.
"""

from collections import deque
from html import escape

from markupsafe import Markup

BOX_WIDTH, BOX_HEIGHT = 150, 44
COLUMN_GAP, ROW_GAP = 90, 70
MARGIN = 30
TOP = 110  # room above the boxes for arrows that skip columns


def _reachable(definition, start):
    seen, queue = {start}, deque([start])
    while queue:
        for transition in definition.transitions_from(queue.popleft()):
            if transition.target not in seen:
                seen.add(transition.target)
                queue.append(transition.target)
    return seen


def _ranks(definition):
    """Column of each state: the longest path from the initial state over forward edges.

    An edge is backward (drawn curving underneath) when it closes a cycle and
    leads back towards the start (by depth, then file order): resubmit, reopen.
    """
    depth = {definition.initial: 0}
    queue = deque([definition.initial])
    while queue:
        state = queue.popleft()
        for transition in definition.transitions_from(state):
            if transition.target not in depth:
                depth[transition.target] = depth[state] + 1
                queue.append(transition.target)
    reaches = {state: _reachable(definition, state) for state in depth}
    # Ties in depth are broken by the order the file lists the states in.
    order = {state: (depth.get(state, 0), index) for index, state in enumerate(definition.state_order)}
    forward = [
        (source, transition.target)
        for transition in definition.transitions.values()
        for source in transition.sources
        if not (source in reaches.get(transition.target, ()) and order[transition.target] < order[source])
    ]
    rank = dict.fromkeys(depth, 0)
    for _round in range(len(depth)):
        for source, target in forward:
            rank[target] = max(rank[target], rank.get(source, 0) + 1)
    return rank


def layout(definition):
    """{state: (x, y)} of each box's top-left corner."""
    rank = _ranks(definition)
    columns = {}
    for state in definition.state_order:
        columns.setdefault(rank.get(state, 0), []).append(state)
    positions = {}
    for column, states in columns.items():
        for row, state in enumerate(states):
            positions[state] = (MARGIN + column * (BOX_WIDTH + COLUMN_GAP), TOP + row * (BOX_HEIGHT + ROW_GAP))
    return positions


def render_svg(definition, current_state=None, translate=str):
    positions = layout(definition)
    width = max(x for x, _y in positions.values()) + BOX_WIDTH + MARGIN
    height = max(y for _x, y in positions.values()) + BOX_HEIGHT + MARGIN + 60
    title = translate(definition.title)
    current = translate(definition.states[current_state].label) if current_state else None
    description = "; ".join(
        f"{translate(t.label)}: {', '.join(translate(definition.states[s].label) for s in t.sources)} → {translate(definition.states[t.target].label)}"
        for t in definition.transitions.values()
    )
    ident = f"workflow-{definition.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="workflow-diagram" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}{(" — " + escape(current)) if current else ""}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#4a4a4a"/></marker></defs>',
    ]
    seen_pairs = {}
    for transition in definition.transitions.values():
        for source in transition.sources:
            sx, sy = positions[source]
            tx, ty = positions[transition.target]
            offset = seen_pairs.get((source, transition.target), 0)
            seen_pairs[(source, transition.target)] = offset + 1
            start = (sx + BOX_WIDTH, sy + BOX_HEIGHT / 2 + offset * 8)
            end = (tx, ty + BOX_HEIGHT / 2 + offset * 8)
            skips = tx - sx > BOX_WIDTH + COLUMN_GAP
            if skips:  # over several columns: arc above the boxes
                lift = 25 + 22 * len([key for key in seen_pairs if key[1] == transition.target])
                start = (sx + BOX_WIDTH / 2, sy)
                end = (tx + BOX_WIDTH / 3, ty)
                top = min(sy, ty) - lift
                path = f"M {start[0]} {start[1]} C {start[0]} {top}, {end[0]} {top}, {end[0]} {end[1]}"
                label_at = ((start[0] + end[0]) / 2, top + 18)
            elif tx <= sx:  # backwards: curve under the boxes
                start = (sx + BOX_WIDTH / 2, sy + BOX_HEIGHT)
                end = (tx + BOX_WIDTH / 2, ty + BOX_HEIGHT)
                depth = max(sy, ty) + BOX_HEIGHT + 45 + offset * 12
                path = f"M {start[0]} {start[1]} C {start[0]} {depth}, {end[0]} {depth}, {end[0]} {end[1]}"
                label_at = ((start[0] + end[0]) / 2, depth - 8)
            else:
                middle = (start[0] + end[0]) / 2
                path = f"M {start[0]} {start[1]} C {middle} {start[1]}, {middle} {end[1]}, {end[0]} {end[1]}"
                label_at = (middle, (start[1] + end[1]) / 2 - 4)
            parts.append(f'<path d="{path}" fill="none" stroke="#4a4a4a" stroke-width="1.5" marker-end="url(#arrow)"/>')
            parts.append(
                f'<text x="{label_at[0]:.0f}" y="{label_at[1]:.0f}" text-anchor="middle" font-size="11" fill="#1d1d1b">{escape(translate(transition.label))}</text>'
            )
    for state, (x, y) in positions.items():
        is_current = state == current_state
        terminal = state in definition.terminal
        parts.append(
            f'<g class="state{" current" if is_current else ""}">'
            f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="{14 if terminal else 4}" '
            f'fill="{"#003399" if is_current else "#ffffff"}" stroke="#003399" stroke-width="{4 if is_current else 1.5}"/>'
            f'<text x="{x + BOX_WIDTH / 2}" y="{y + BOX_HEIGHT / 2 + 5}" text-anchor="middle" font-size="13" '
            f'font-weight="{"700" if is_current else "400"}" fill="{"#ffffff" if is_current else "#1d1d1b"}">'
            f"{escape(translate(definition.states[state].label))}{' ◀' if is_current else ''}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped above
