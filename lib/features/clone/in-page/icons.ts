/** The controls' 16px icons, drawn like Atlassian's (filled, currentColor). */

const SVG = 'http://www.w3.org/2000/svg';

function icon(doc: Document, path: string, className?: string): SVGSVGElement {
  const svg = doc.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  if (className) svg.setAttribute('class', className);
  const shape = doc.createElementNS(SVG, 'path');
  shape.setAttribute('d', path);
  svg.appendChild(shape);
  return svg;
}

/** An arrow leaving a box: "open in another app". */
export const openIcon = (doc: Document) =>
  icon(
    doc,
    'M9 2h5v5h-2V5.41L7.71 9.71 6.29 8.29 10.59 4H9V2ZM3 4h4v2H4v6h6V9h2v4a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1Z',
  );

/** A fork: two branches joining one. */
export const forkIcon = (doc: Document) =>
  icon(
    doc,
    'M5 1.5a2 2 0 0 1 1 3.73V6a1 1 0 0 0 1 1h2a1 1 0 0 0 1-1v-.77a2 2 0 1 1 2 0V6a3 3 0 0 1-3 3H9v1.77a2 2 0 1 1-2 0V9a3 3 0 0 1-3-3v-.77A2 2 0 0 1 5 1.5Z',
  );

export const chevronIcon = (doc: Document) =>
  icon(
    doc,
    'M3.29 5.29a1 1 0 0 1 1.42 0L8 8.59l3.29-3.3a1 1 0 1 1 1.42 1.42l-4 4a1 1 0 0 1-1.42 0l-4-4a1 1 0 0 1 0-1.42Z',
    'bsc-chevron',
  );
