// Places floating panels (selection toolbar, highlight editor, chooser)
// next to a rectangle in the viewport, flipping to stay on screen.

const MARGIN = 8;

/**
 * Positions fixed element `el` above (`prefer: "above"`) or below `rect`,
 * flipping when there is no room, and clamped inside the viewport.
 */
export function placeNear(el, rect, prefer = "below") {
  const { offsetWidth: width, offsetHeight: height } = el;
  const room = { above: rect.top - MARGIN, below: innerHeight - rect.bottom - MARGIN };
  const side = room[prefer] >= height || room[prefer] >= room[prefer === "above" ? "below" : "above"] ? prefer : prefer === "above" ? "below" : "above";
  let top = side === "above" ? rect.top - height - MARGIN : rect.bottom + MARGIN;
  top = Math.max(MARGIN, Math.min(top, innerHeight - height - MARGIN));
  const left = Math.max(MARGIN, Math.min(rect.left + rect.width / 2 - width / 2, innerWidth - width - MARGIN));
  el.style.top = `${Math.round(top)}px`;
  el.style.left = `${Math.round(left)}px`;
}
