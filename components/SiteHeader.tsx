/** The page's top bar: the product's name and what the room is. Server-only. */
export function SiteHeader() {
  return (
    <header class="site-header">
      <div class="brand">
        <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
          <path d="M6 5h20a3 3 0 0 1 3 3v12a3 3 0 0 1-3 3H14l-6 5v-5H6a3 3 0 0 1-3-3V8a3 3 0 0 1 3-3z" />
        </svg>
        <div>
          <h1>Chatroom</h1>
          <p class="tagline">One room — browsers and terminals together</p>
        </div>
      </div>
    </header>
  );
}
