/** The registration state machine alone: CAP negotiation holds registration, USER once, welcome once. */
import assert from "node:assert/strict";
import { Registration } from "../../server/irc/registration.ts";

Deno.test("without CAP, registration completes once a nick is held and USER was given", () => {
  const registration = new Registration();
  assert.equal(registration.ready(true), false, "no USER yet");
  assert.equal(registration.user(["ana", "0", "*", "Ana"]), undefined);
  assert.equal(registration.username, "ana");
  assert.equal(registration.ready(false), false, "no nick held yet");
  assert.equal(registration.ready(true), true);
  assert.equal(registration.ready(true), false, "once");
  assert.deepEqual(registration.user(["ana", "0", "*", "Ana"]), ["462", "You may not reregister"]);
});

Deno.test("CAP LS or REQ before registration holds it until CAP END; REQ is all or nothing", () => {
  const registration = new Registration();
  assert.deepEqual(registration.cap(["LS", "302"]), [{ cap: ["LS", "server-time message-tags echo-message"] }]);
  registration.user(["ana", "0", "*", "Ana"]);
  assert.equal(registration.ready(true), false, "negotiating");
  assert.deepEqual(registration.cap(["REQ", "server-time sasl"]), [{ cap: ["NAK", "server-time sasl"] }]);
  assert.deepEqual([...registration.caps], []);
  assert.deepEqual(registration.cap(["REQ", "server-time echo-message"]), [{
    cap: ["ACK", "server-time echo-message"],
  }]);
  assert.deepEqual(registration.cap(["REQ", "-echo-message"]), [{ cap: ["ACK", "-echo-message"] }]);
  assert.deepEqual(registration.cap(["LIST"]), [{ cap: ["LIST", "server-time"] }]);
  assert.deepEqual(registration.cap(["REQ", ""]), [{ cap: ["NAK", ""] }]);
  assert.deepEqual(registration.cap(["FROB"]), [{ numeric: ["410", "FROB", "Invalid CAP command"] }]);
  assert.equal(registration.ready(true), false);
  registration.cap(["END"]);
  assert.equal(registration.ready(true), true);
  registration.cap(["LS"]);
  assert.equal(registration.registered, true, "CAP LS after registration opens nothing");
});

Deno.test("USER needs four parameters", () => {
  const registration = new Registration();
  assert.deepEqual(registration.user(["ana"]), ["461", "USER", "Not enough parameters"]);
  assert.equal(registration.ready(true), false);
});
