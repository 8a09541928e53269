// How many of a channel's ready packages have their video rendered, in
// words: "all 3 rendered", "2 rendered · 1 to render", "1 to render".

export function renderedWords(c: { ready: number; rendered: number; to_render: number }): string {
  if (c.ready === 0) return '';
  if (c.to_render === 0) return c.ready === 1 ? 'video rendered' : `all ${c.ready} rendered`;
  if (c.rendered === 0) return `${c.to_render} to render`;
  return `${c.rendered} rendered · ${c.to_render} to render`;
}
