/**
 * What tells a reader in another tab that something happened: the unread count in the title, the marker,
 * opt-in notifications for mentions and private messages. With a fake document, Notification class, storage
 * and timers, in-process.
 */
import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import type { WireEvent } from "../../common/wire.ts";
import {
  addressedTo,
  createAttention,
  MARKER_LINGER_MS,
  type NotificationClass,
  NOTIFY_KEY,
  type PageLike,
} from "../../islands/chat/attention.ts";
import { FakeTimers, MemoryStorage } from "./island_fakes.ts";

class FakePage implements PageLike {
  visibilityState = "visible";
  title = "Chatroom";
  #listeners = new Set<() => void>();
  addEventListener(_type: "visibilitychange", listener: () => void): void {
    this.#listeners.add(listener);
  }
  removeEventListener(_type: "visibilitychange", listener: () => void): void {
    this.#listeners.delete(listener);
  }
  show(state: "visible" | "hidden"): void {
    this.visibilityState = state;
    for (const listener of this.#listeners) listener();
  }
}

/** A Notification class whose permission the test sets and whose notifications it counts. */
function fakeNotifications(permission: string, answer = "granted") {
  const shown: { title: string; body?: string }[] = [];
  let asked = 0;
  const Fake = class {
    static permission = permission;
    static requestPermission() {
      asked++;
      Fake.permission = answer;
      return Promise.resolve(answer);
    }
    onclick: ((event: Event) => void) | null = null;
    constructor(title: string, options?: { body?: string }) {
      shown.push({ title, body: options?.body });
    }
  };
  return { Notification: Fake as NotificationClass, shown, asked: () => asked };
}

let next = 0;
function said(from: string, text: string, extra: Partial<WireEvent> = {}): WireEvent {
  return { id: `e-${++next}`, at: Date.now(), kind: "message", from, text, ...extra };
}

function setUp(permission = "default", stored?: string) {
  const page = new FakePage();
  const storage = new MemoryStorage();
  if (stored) storage.setItem(NOTIFY_KEY, stored);
  const timers = new FakeTimers();
  const notes = fakeNotifications(permission);
  const attention = createAttention({ me: signal("Ana"), page, Notification: notes.Notification, storage, timers });
  attention.start();
  return { attention, page, storage, timers, notes };
}

Deno.test("while hidden, messages from others count in the title and the marker goes before the first", () => {
  const { attention, page, timers } = setUp();
  attention.arrived(said("Bob", "seen"));
  assert.equal(page.title, "Chatroom", "a visible page counts nothing");
  page.show("hidden");
  const first = said("Bob", "one");
  attention.arrived(first);
  attention.arrived(said("Ana", "my own, from another tab"));
  attention.arrived({ id: "e-j", at: 0, kind: "join", from: "Cy", door: "tcp" });
  attention.arrived(said("Cy", "two", { kind: "action" }));
  attention.arrived(said("Cy", "three"));
  assert.equal(page.title, "(3) Chatroom");
  assert.equal(attention.markerId.value, first.id);

  page.show("visible");
  assert.equal(page.title, "Chatroom", "the title clears as soon as the page is seen");
  assert.equal(attention.unread.value, 0);
  assert.equal(attention.markerId.value, first.id, "the marker stays a moment, to be seen");
  assert.deepEqual(timers.delays, [MARKER_LINGER_MS]);
  timers.fire();
  assert.equal(attention.markerId.value, undefined);
});

Deno.test("hidden again before the marker went, the next unread message gets it", () => {
  const { attention, page, timers } = setUp();
  page.show("hidden");
  attention.arrived(said("Bob", "one"));
  page.show("visible");
  page.show("hidden");
  assert.equal(attention.markerId.value, undefined);
  assert.deepEqual(timers.delays, [], "the pending clear is cancelled");
  const second = said("Bob", "two");
  attention.arrived(second);
  assert.equal(attention.markerId.value, second.id);
  assert.equal(page.title, "(1) Chatroom");
});

Deno.test("notifications are never asked for on load; the button asks once, and the choice is kept", async () => {
  const { attention, notes, storage } = setUp("default");
  assert.equal(notes.asked(), 0);
  assert.equal(attention.notify.value, "off");
  await attention.toggleNotifications();
  assert.equal(notes.asked(), 1);
  assert.equal(attention.notify.value, "on");
  assert.equal(storage.getItem(NOTIFY_KEY), "on");
  await attention.toggleNotifications();
  assert.equal(attention.notify.value, "off");
  assert.equal(storage.getItem(NOTIFY_KEY), "off");

  const again = setUp("granted", "on");
  assert.equal(again.attention.notify.value, "on", "remembered on the next visit");
  assert.equal(setUp("granted", "off").attention.notify.value, "off");
  assert.equal(setUp("granted").attention.notify.value, "off", "granted elsewhere, but never chosen here");
  assert.equal(setUp("denied").attention.notify.value, "denied");
  const none = createAttention({ me: signal("Ana"), page: new FakePage(), Notification: null });
  none.start();
  assert.equal(none.notify.value, "unsupported");
});

Deno.test("a refused permission leaves notifications off, and says they are blocked", async () => {
  const page = new FakePage();
  const notes = fakeNotifications("default", "denied");
  const attention = createAttention({ me: signal("Ana"), page, Notification: notes.Notification });
  attention.start();
  await attention.toggleNotifications();
  assert.equal(attention.notify.value, "denied");
});

Deno.test("only a mention or a private message to me raises a notification, and only while hidden", () => {
  const { attention, page, notes } = setUp("granted", "on");
  attention.arrived(said("Bob", "hi Ana"));
  assert.equal(notes.shown.length, 0, "not while the page is seen");
  page.show("hidden");
  attention.arrived(said("Bob", "a plain message"));
  attention.arrived(said("Bob", "banana"));
  assert.equal(notes.shown.length, 0);
  attention.arrived(said("Bob", "ANA, look"));
  attention.arrived(said("Cy", "psst", { to: "Ana" }));
  attention.arrived(said("Ana", "Ana talking to herself"));
  assert.deepEqual(notes.shown, [
    { title: "Bob mentioned you", body: "ANA, look" },
    { title: "Cy (private)", body: "psst" },
  ]);
  const off = setUp("granted", "off");
  off.page.show("hidden");
  off.attention.arrived(said("Bob", "hi Ana"));
  assert.equal(off.notes.shown.length, 0, "not unless turned on");
});

Deno.test("addressedTo: private messages to me and mentions of me, never my own lines or notices", () => {
  assert.equal(addressedTo(said("Bob", "hi ana"), "Ana"), "mention");
  assert.equal(addressedTo(said("Bob", "x", { to: "Ana" }), "Ana"), "private");
  assert.equal(addressedTo(said("Ana", "x", { to: "Bob" }), "Ana"), undefined);
  assert.equal(addressedTo(said("Ana", "Ana"), "Ana"), undefined);
  assert.equal(addressedTo({ id: "j", at: 0, kind: "join", from: "Ana" }, "Ana"), undefined);
  assert.equal(addressedTo(said("Bob", "hi Ana"), undefined), undefined);
});
