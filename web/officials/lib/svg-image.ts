/** An SVG document as an image address, so it is shown as a picture and never parsed into the page. */
export function svgImage(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
