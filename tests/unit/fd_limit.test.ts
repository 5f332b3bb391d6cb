import assert from "node:assert/strict";
import { FD_RESERVE, fdProblem, parseFdLimits } from "../../server/io/fd_limit.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`;

Deno.test("the descriptor limits are read from /proc/self/limits, unlimited as Infinity", () => {
  assert.deepEqual(parseFdLimits(LIMITS), { soft: 1024, hard: 20000 });
  assert.deepEqual(parseFdLimits("Max open files unlimited unlimited files\n"), { soft: Infinity, hard: Infinity });
  assert.equal(parseFdLimits("nothing here"), undefined);
});

Deno.test("the connection limit fits when it and the server's own reserve are within the soft limit", () => {
  assert.equal(fdProblem(20000 - FD_RESERVE, { soft: 20000, hard: 20000 }), undefined);
  assert.equal(fdProblem(10_000, { soft: Infinity, hard: Infinity }), undefined);
});

Deno.test("a connection limit that does not fit is one line naming the limit and what would fit", () => {
  const problem = fdProblem(10_000, { soft: 256, hard: 256 })!;
  assert.ok(!problem.includes("\n"));
  assert.match(problem, /--max-connections 10000 needs \d+ file descriptors/);
  assert.match(problem, /may open 256 \(hard limit 256\)/);
  assert.match(problem, new RegExp(`lower --max-connections to ${256 - FD_RESERVE}`));
});
