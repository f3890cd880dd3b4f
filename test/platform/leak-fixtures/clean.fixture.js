// Run by test/platform/leak-gate.test.ts, not by `npm test` itself: a file that cleans up.
test('clean', () => {
  const timer = setInterval(() => undefined, 1000);
  clearInterval(timer);
  expect(true).toBe(true);
});
