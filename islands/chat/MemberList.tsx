import type { Signal } from "@preact/signals";
import type { WireMember } from "../../common/wire.ts";
import { hue } from "./format.ts";

/** Who is online, through either door. */
export function MemberList({ members, me }: { members: Signal<WireMember[]>; me: Signal<string | undefined> }) {
  const list = members.value;
  return (
    <aside class="members" aria-labelledby="members-title">
      <h2 id="members-title">
        Online <span class="count">{list.length}</span>
      </h2>
      {list.length === 0 ? <p class="members-empty">Nobody is here yet.</p> : (
        <ul>
          {list.map((member) => (
            <li key={member.name} class="member">
              <span class={`avatar hue-${hue(member.name)}`} aria-hidden="true">
                {[...member.name][0].toUpperCase()}
              </span>
              <span class="member-name">{member.name}</span>
              {member.name === me.value && <span class="you">you</span>}
              <span class="door" title={member.door === "tcp" ? "connected with a terminal" : "in a browser"}>
                {member.door}
              </span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
