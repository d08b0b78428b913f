/** errno → Deno error classes and messages, and libc loading. */

import assert from "node:assert/strict";
import { errnoError, errnoName, LIBC_CANDIDATES, LIBC_PATH, loadLibc } from "../../src/net/libc.ts";

Deno.test("errnoError: Deno's classes for the errnos Deno itself maps", () => {
  const cases: [number, new (message: string) => Error, string][] = [
    [98, Deno.errors.AddrInUse, "EADDRINUSE"],
    [13, Deno.errors.PermissionDenied, "EACCES"],
    [1, Deno.errors.PermissionDenied, "EPERM"],
    [101, Deno.errors.NetworkUnreachable, "ENETUNREACH"],
    [11, Deno.errors.WouldBlock, "EAGAIN"],
    [99, Deno.errors.AddrNotAvailable, "EADDRNOTAVAIL"],
  ];
  for (const [errno, ErrorClass, name] of cases) {
    const error = errnoError("bind 0.0.0.0:67", errno, "text");
    assert.ok(error instanceof ErrorClass, `${name} is not ${ErrorClass.name}`);
    assert.equal(error.message, `Cannot bind 0.0.0.0:67: ${name} (errno ${errno}, text)`);
    assert.equal((error as Error & { code: string }).code, name);
  }
});

Deno.test("errnoError: others are plain Errors naming the errno", () => {
  const known = errnoError("send to 10.0.0.1:68", 105);
  assert.equal(known.constructor, Error);
  assert.equal(known.message, "Cannot send to 10.0.0.1:68: ENOBUFS (errno 105)");
  assert.equal(errnoName(4095), "errno 4095");
  assert.equal(errnoError("x", 4095).message, "Cannot x: errno 4095 (errno 4095)");
});

Deno.test("loadLibc: loads LIBC_PATH on Debian and describes errnos through libc", () => {
  assert.equal(LIBC_CANDIDATES[0], LIBC_PATH);
  assert.match(LIBC_PATH, /^\/lib\/(x86_64|aarch64)-linux-gnu\/libc\.so\.6$/);
  const libc = loadLibc();
  assert.equal(libc.path, LIBC_PATH);
  assert.equal(libc.describe(98), "Address already in use");
  assert.equal(
    libc.ifNameToIndex("lo"),
    Number(Deno.readTextFileSync("/sys/class/net/lo/ifindex")),
  );
  assert.equal(libc.ifNameToIndex("pdt-no-such-nic"), 0);
});
