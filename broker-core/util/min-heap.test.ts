import { expect, it } from 'vitest';
import { MinHeap } from './min-heap';

it('pops in key order whatever the push order, equal keys included', () => {
  const heap = new MinHeap<{ at: number; id: number }>((item) => item.at);
  const keys = [5, 3, 9, 1, 3, 7, 0, 8, 2, 6, 4, 1];
  keys.forEach((at, id) => heap.push({ at, id }));
  expect(heap.size).toBe(keys.length);
  expect(heap.peekKey()).toBe(0);
  const out: number[] = [];
  for (let item = heap.pop(); item; item = heap.pop()) out.push(item.at);
  expect(out).toEqual([...keys].sort((a, b) => a - b));
  expect(heap.peekKey()).toBe(Number.POSITIVE_INFINITY);
  expect(heap.pop()).toBeUndefined();
});
