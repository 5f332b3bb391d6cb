import type { Signal } from "@preact/signals";
import type { WireMembers } from "../../common/wire.ts";
import { count, hue } from "./format.ts";
import { unlisted } from "./roster.ts";
import { COMPOSER_INPUT_ID } from "./state.ts";

/**
 * Who is online, through either door: the members listed, and how many more there are beyond them. Once
 * signed in, another member's name starts a private message to them in the composer.
 */
export function MemberList(
  { members, me, draft }: { members: Signal<WireMembers>; me: Signal<string | undefined>; draft: Signal<string> },
) {
  const roster = members.value;
  const whisper = (name: string) => {
    draft.value = `/msg ${name} `;
    const input = document.getElementById(COMPOSER_INPUT_ID) as HTMLInputElement | null;
    input?.focus();
    input?.setSelectionRange(draft.value.length, draft.value.length);
  };
  const more = unlisted(roster);
  return (
    <aside class="members" aria-labelledby="members-title">
      <h2 id="members-title">
        Online <span class="count">{count(roster.total)}</span>
      </h2>
      {roster.total === 0 ? <p class="members-empty">Nobody is here yet.</p> : (
        <ul>
          {roster.members.map((member) => (
            <li key={member.name} class="member">
              <span class={`avatar hue-${hue(member.name)}`} aria-hidden="true">
                {[...member.name][0].toUpperCase()}
              </span>
              {me.value === undefined || member.name === me.value
                ? <span class="member-name">{member.name}</span>
                : (
                  <button
                    type="button"
                    class="member-name"
                    title={`Send ${member.name} a private message`}
                    onClick={() => whisper(member.name)}
                  >
                    {member.name}
                  </button>
                )}
              {member.name === me.value && <span class="you">you</span>}
              <span class="door" title={member.door === "tcp" ? "connected with a terminal" : "in a browser"}>
                {member.door}
              </span>
            </li>
          ))}
        </ul>
      )}
      {more > 0 && <p class="members-more">{`and ${count(more)} more`}</p>}
    </aside>
  );
}
