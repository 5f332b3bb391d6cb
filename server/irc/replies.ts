/** The numeric replies the IRC door sends, named once (RFC 2812 and the modern IRC client protocol). */
export const RPL = {
  WELCOME: "001",
  YOURHOST: "002",
  CREATED: "003",
  MYINFO: "004",
  ISUPPORT: "005",
  UMODEIS: "221",
  LUSERCLIENT: "251",
  LUSERCHANNELS: "254",
  LUSERME: "255",
  AWAY: "301",
  UNAWAY: "305",
  NOWAWAY: "306",
  WHOISUSER: "311",
  WHOISSERVER: "312",
  ENDOFWHO: "315",
  ENDOFWHOIS: "318",
  CHANNELMODEIS: "324",
  NOTOPIC: "331",
  TOPIC: "332",
  WHOREPLY: "352",
  NAMREPLY: "353",
  ENDOFNAMES: "366",
  ENDOFBANLIST: "368",
  MOTD: "372",
  MOTDSTART: "375",
  ENDOFMOTD: "376",
} as const;

export const ERR = {
  UNKNOWNERROR: "400",
  NOSUCHNICK: "401",
  NOSUCHCHANNEL: "403",
  CANNOTSENDTOCHAN: "404",
  TOOMANYTARGETS: "407",
  NORECIPIENT: "411",
  NOTEXTTOSEND: "412",
  INPUTTOOLONG: "417",
  UNKNOWNCOMMAND: "421",
  NOMOTD: "422",
  NONICKNAMEGIVEN: "431",
  ERRONEUSNICKNAME: "432",
  NICKNAMEINUSE: "433",
  UNAVAILRESOURCE: "437",
  NOTONCHANNEL: "442",
  NOTREGISTERED: "451",
  NEEDMOREPARAMS: "461",
  ALREADYREGISTERED: "462",
  CHANOPRIVSNEEDED: "482",
  USERSDONTMATCH: "502",
} as const;

/** The capabilities the door offers (`CAP LS`). */
export const CAPABILITIES = ["server-time", "message-tags", "echo-message"] as const;

/** Targets one PRIVMSG or NOTICE may name (ISUPPORT `TARGMAX`). */
export const MAX_TARGETS = 4;
