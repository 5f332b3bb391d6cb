/**
 * Mixed-script detection after UTS #39 §5: a name may use one script, or a mix the standard calls
 * "highly restrictive" — Latin with Han and Bopomofo, with Japanese (Han, Hiragana, Katakana) or with
 * Korean (Han, Hangul). Anything else (Latin with Cyrillic or Greek above all) is a mix whose letters
 * can pass for one another.
 *
 * Each character counts by its Script_Extensions; Common and Inherited ones (digits, `_ - .`, most
 * combining marks) fit any script. Han, Hiragana, Katakana, Hangul and Bopomofo also count for the
 * writing systems they belong to (§5.1 "augmented script sets"), so kanji with kana is one script.
 *
 * @example
 * ```ts
 * import { mixedScripts } from "./scripts.ts";
 * mixedScripts("\u0410na"); // ["Cyrillic", "Latin"]
 * mixedScripts("Ana名前");   // undefined: Latin with Han is highly restrictive
 * ```
 */

/**
 * Unicode's Script values as ECMAScript RegExp names them (PropertyValueAliases.txt, Unicode 17.0),
 * less Common, Inherited and Unknown. Those this engine does not know yet are left out at load; a test
 * checks that every letter, mark and digit the engine knows falls under one of them.
 */
export const SCRIPT_NAMES: readonly string[] = `
  Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Beria_Erfe
  Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee
  Chorasmian Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan
  Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi
  Gurmukhi Gurung_Khema Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic
  Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi
  Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian
  Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui
  Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari
  New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal Old_Hungarian Old_Italic Old_North_Arabian
  Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong
  Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham
  Sidetic SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Sunuwar Syloti_Nagri Syriac Tagalog Tagbanwa
  Tai_Le Tai_Tham Tai_Viet Tai_Yo Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh Tirhuta Todhri
  Tolong_Siki Toto Tulu_Tigalari Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square
`.trim().split(/\s+/);

type Script = { name: string; has: RegExp };

const ANY_SCRIPT = /^[\p{scx=Common}\p{scx=Inherited}]$/u;
const LATIN = /^\p{scx=Latin}$/u;
// Most names are Latin: one test instead of one per script and character.
const LATIN_ONLY = /^[\p{scx=Latin}\p{scx=Common}\p{scx=Inherited}]*$/u;

const SCRIPTS: readonly Script[] = SCRIPT_NAMES.flatMap((name) => {
  try {
    return [{ name, has: new RegExp(`^\\p{scx=${name}}$`, "u") }];
  } catch {
    return []; // newer than this engine's Unicode tables
  }
});

/** §5.1: the writing systems that mix Han with the scripts written alongside it. */
const HAN_WRITING: readonly Script[] = [
  { name: "Han_with_Bopomofo", has: /^[\p{scx=Han}\p{scx=Bopomofo}]$/u },
  { name: "Japanese", has: /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]$/u },
  { name: "Korean", has: /^[\p{scx=Han}\p{scx=Hangul}]$/u },
];
const AUGMENTED = [...SCRIPTS, ...HAN_WRITING];

/**
 * Undefined when `text` is single-script or highly restrictive; otherwise the scripts it mixes, in the
 * order they first appear.
 */
export function mixedScripts(text: string): string[] | undefined {
  if (LATIN_ONLY.test(text)) return undefined;
  let shared: readonly Script[] = AUGMENTED;
  for (const char of text) {
    if (ANY_SCRIPT.test(char)) continue;
    shared = shared.filter((script) => script.has.test(char));
    if (shared.length === 0) return highlyRestrictive(text) ? undefined : scriptsOf(text);
  }
  return undefined;
}

/** §5.2: Latin aside, what is left is all Han with Bopomofo, all Japanese or all Korean. */
function highlyRestrictive(text: string): boolean {
  let shared = HAN_WRITING;
  for (const char of text) {
    if (ANY_SCRIPT.test(char) || LATIN.test(char)) continue;
    shared = shared.filter((script) => script.has.test(char));
    if (shared.length === 0) return false;
  }
  return true;
}

function scriptsOf(text: string): string[] {
  const seen: Script[] = [];
  for (const char of text) {
    if (ANY_SCRIPT.test(char) || seen.some((script) => script.has.test(char))) continue;
    const script = SCRIPTS.find((script) => script.has.test(char));
    if (script) seen.push(script);
  }
  return seen.map((script) => script.name.replaceAll("_", " "));
}
