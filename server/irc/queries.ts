/**
 * What the IRC door answers about the room: `NAMES`, `WHO`, `WHOIS`, `TOPIC`, `MODE` and `LUSERS`, as
 * numeric replies computed from who is present. Pure: the connection sends them.
 *
 * @example
 * ```ts
 * import { who } from "./queries.ts";
 * who({ channel: "#chat", serverName: "chat.server", members: [{ id: "1", name: "Bob", door: "tcp" }] }, "#chat");
 * // [{ code: "352", params: ["#chat", "tcp", "chat", "chat.server", "Bob", "H", "0 via the tcp door"] },
 * //  { code: "315", params: ["#chat", "End of /WHO list"] }]
 * ```
 */
import type { MemberInfo } from "../directory/directory.ts";
import { nameKey } from "../room/names.ts";
import { ERR, RPL } from "./replies.ts";

export const TOPIC = "One room for nc, the web page and IRC clients";
export const CHANNEL_MODES = "+nt";
/** Bytes of names on one 353 line: what 512 leaves after the server name, the nick and the channel. */
const NAMES_BYTES = 300;
const encoder = new TextEncoder();

export interface QueryContext {
  channel: string;
  serverName: string;
  /** Who is present, in the order they came. */
  members: readonly MemberInfo[];
  /** The asking client's nick. */
  nick?: string;
}

/** One numeric reply, after the client's nick; `word`: its last parameter is a word (a mode), not text. */
export interface Reply {
  code: string;
  params: string[];
  word?: boolean;
}

const reply = (code: string, ...params: string[]): Reply => ({ code, params });

/** Channel names compare case-insensitively (ASCII). */
export function isChannel(name: string, channel: string): boolean {
  return name.toLowerCase() === channel.toLowerCase();
}

function find(members: readonly MemberInfo[], nick: string): MemberInfo | undefined {
  const key = nameKey(nick);
  return members.find((member) => nameKey(member.name) === key);
}

/** 353 lines of names (each line within IRC's 512 bytes), then 366; `self`: a name not yet counted present (the member joining now). */
export function names({ channel, members }: QueryContext, self?: string): Reply[] {
  const all = members.map((member) => member.name);
  if (self !== undefined) all.push(self);
  const replies: Reply[] = [];
  let line: string[] = [];
  let bytes = 0;
  for (const name of all) {
    const size = encoder.encode(name).length + 1;
    if (line.length > 0 && bytes + size > NAMES_BYTES) {
      replies.push(reply(RPL.NAMREPLY, "=", channel, line.join(" ")));
      line = [];
      bytes = 0;
    }
    line.push(name);
    bytes += size;
  }
  if (line.length > 0) replies.push(reply(RPL.NAMREPLY, "=", channel, line.join(" ")));
  replies.push(reply(RPL.ENDOFNAMES, channel, "End of /NAMES list"));
  return replies;
}

/** 352 per member of the channel (or the one nick asked for), with its door as the user; then 315. */
export function who({ channel, serverName, members }: QueryContext, target: string): Reply[] {
  const shown = isChannel(target, channel) ? members : [find(members, target)].filter((m) => m !== undefined);
  const replies = shown.map((member) =>
    reply(RPL.WHOREPLY, channel, member.door, "chat", serverName, member.name, "H", `0 via the ${member.door} door`)
  );
  replies.push(reply(RPL.ENDOFWHO, target, "End of /WHO list"));
  return replies;
}

/** 311 and 312 (the door shown) or 401; then 318. */
export function whois({ serverName, members }: QueryContext, target: string | undefined): Reply[] {
  if (target === undefined) return [reply(ERR.NONICKNAMEGIVEN, "No nickname given")];
  const found = find(members, target);
  if (!found) {
    return [reply(ERR.NOSUCHNICK, target, "No such nick"), reply(RPL.ENDOFWHOIS, target, "End of /WHOIS list")];
  }
  return [
    reply(RPL.WHOISUSER, found.name, found.door, "chat", "*", `in the room through the ${found.door} door`),
    reply(RPL.WHOISSERVER, found.name, serverName, `${found.door} door`),
    reply(RPL.ENDOFWHOIS, found.name, "End of /WHOIS list"),
  ];
}

/** The topic (332); it is fixed: setting it gets 482. */
export function topic({ channel }: QueryContext, params: string[]): Reply[] {
  const target = params[0];
  if (target === undefined) return [reply(ERR.NEEDMOREPARAMS, "TOPIC", "Not enough parameters")];
  if (!isChannel(target, channel)) return [reply(ERR.NOSUCHCHANNEL, target, "No such channel")];
  if (params.length > 1) return [reply(ERR.CHANOPRIVSNEEDED, target, "The topic is fixed")];
  return [reply(RPL.TOPIC, channel, TOPIC)];
}

/** The channel's fixed modes (324), an empty ban list (368), the client's own modes (221); no changes. */
export function mode({ channel, nick }: QueryContext, params: string[]): Reply[] {
  const [target, modes] = params;
  if (target === undefined) return [reply(ERR.NEEDMOREPARAMS, "MODE", "Not enough parameters")];
  if (isChannel(target, channel)) {
    if (modes === undefined) return [{ ...reply(RPL.CHANNELMODEIS, channel, CHANNEL_MODES), word: true }];
    if (/^[+-]?b$/.test(modes) && params.length === 2) {
      return [reply(RPL.ENDOFBANLIST, channel, "End of channel ban list")];
    }
    return [reply(ERR.CHANOPRIVSNEEDED, channel, "The channel's modes are fixed")];
  }
  if (target.startsWith("#")) return [reply(ERR.NOSUCHCHANNEL, target, "No such channel")];
  if (nick !== undefined && nameKey(target) === nameKey(nick)) return [{ ...reply(RPL.UMODEIS, "+"), word: true }];
  return [reply(ERR.USERSDONTMATCH, "Can't change mode for other users")];
}

/** 251, 254, 255: everyone present, on one server with one channel. */
export function lusers(count: number): Reply[] {
  return [
    reply(RPL.LUSERCLIENT, `There are ${count} users and 0 invisible on 1 servers`),
    reply(RPL.LUSERCHANNELS, "1", "channels formed"),
    reply(RPL.LUSERME, `I have ${count} clients and 1 servers`),
  ];
}
