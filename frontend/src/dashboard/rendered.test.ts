import { describe, expect, it } from 'vitest';
import { renderedWords } from './rendered';

describe('renderedWords', () => {
  it('says how many ready packages are rendered and how many wait', () => {
    expect(renderedWords({ ready: 0, rendered: 0, to_render: 0 })).toBe('');
    expect(renderedWords({ ready: 1, rendered: 1, to_render: 0 })).toBe('video rendered');
    expect(renderedWords({ ready: 3, rendered: 3, to_render: 0 })).toBe('all 3 rendered');
    expect(renderedWords({ ready: 3, rendered: 2, to_render: 1 })).toBe('2 rendered · 1 to render');
    expect(renderedWords({ ready: 2, rendered: 0, to_render: 2 })).toBe('2 to render');
  });
});
