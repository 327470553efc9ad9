/* meetstream: the meeting window (GTK 3). */
#include "meetingwindow.h"

#include <gdk/gdkkeysyms.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include "meetinglayout.h"

namespace meet {

namespace {

/* Levels below this read as an empty bar; speech sits around -30..-10 dBFS. */
constexpr double kLevelFloorDb = -60.0;
/* Re-evaluates the speaker (the hold runs out without new levels) and empties the bars of silent tiles. */
constexpr guint kTickMs = 100;
constexpr int64_t kStaleLevelUs = 500000;

const char *kCss =
    "window.meet-window { background-color: #202124; }\n"
    ".meet-window label { color: #e8eaed; }\n"
    ".meet-window button { background-image: none; background-color: #3c4043; border-color: #5f6368;"
    "  box-shadow: none; text-shadow: none; -gtk-icon-shadow: none; }\n"
    ".meet-window button:hover { background-color: #4a4e52; }\n"
    ".meet-window button:active { background-color: #5f6368; }\n"
    ".meet-window button.meet-toggle:checked { background-color: #ea4335; border-color: #ea4335; }\n"
    ".meet-tile { background-color: #000000; border: 4px solid #3c4043; border-radius: 6px; }\n"
    ".meet-tile.speaking { border-color: #34a853; }\n"
    ".meet-tile.reconnecting { border-color: #f9ab00; }\n"
    ".meet-tile-footer { background-color: #303134; padding: 3px 8px; }\n"
    ".meet-name { font-weight: bold; }\n"
    ".meet-state { background-color: rgba(0,0,0,0.7); font-size: 18px; font-weight: bold;"
    "  padding: 8px 16px; border-radius: 6px; }\n"
    ".meet-window label.meet-state { color: #f9ab00; }\n"
    ".meet-self { border: 2px solid #5f6368; border-radius: 4px; background-color: #000000; }\n"
    ".meet-window label.meet-self-note { color: #ea4335; font-weight: bold; }\n"
    ".meet-window label.meet-empty { color: #9aa0a6; font-size: 18px; }\n"
    ".meet-level trough { background-color: #5f6368; border: none; padding: 0; min-height: 6px;"
    "  border-radius: 3px; }\n"
    ".meet-level block { border: none; min-height: 6px; border-radius: 3px; }\n"
    ".meet-level block.filled { background-color: #34a853; }\n"
    ".meet-level block.empty { background-color: #5f6368; }\n";

struct Tile {
  std::string name;
  GtkWidget *root = nullptr;    /* our reference: the tile survives being moved in the grid */
  GtkWidget *overlay = nullptr;
  GtkWidget *video = nullptr;   /* our reference */
  GtkWidget *name_label = nullptr;
  GtkWidget *level_bar = nullptr;
  GtkWidget *state_label = nullptr;
  ParticipantState state = ParticipantState::kLive;
  int64_t level_at_us = 0;
};

double
level_fraction (double db)
{
  return std::clamp ((db - kLevelFloorDb) / -kLevelFloorDb, 0.0, 1.0);
}

WindowRegion
region_of (GtkWidget * widget, GtkWidget * window, const char *kind, const std::string & name)
{
  WindowRegion r {kind, name, 0, 0, 0, 0};
  GtkAllocation a;
  gtk_widget_get_allocation (widget, &a);
  gtk_widget_translate_coordinates (widget, window, 0, 0, &r.x, &r.y);
  r.width = a.width;
  r.height = a.height;
  return r;
}

}  // namespace

struct MeetingWindow::Impl {
  MeetingWindowCallbacks callbacks;
  GtkCssProvider *css = nullptr;
  GtkWidget *window = nullptr;
  GtkWidget *grid = nullptr;
  GtkWidget *empty_label = nullptr;
  GtkWidget *self_overlay = nullptr;
  GtkWidget *self_video = nullptr;      /* our reference */
  GtkWidget *self_placeholder = nullptr;
  GtkWidget *self_label = nullptr;      /* "You", and whether muted or the camera is off */
  GtkWidget *status_label = nullptr;
  GtkWidget *mute_button = nullptr;
  GtkWidget *camera_button = nullptr;
  std::vector<std::pair<std::string, GtkWidget *>> buttons;    /* key, button */
  std::vector<std::unique_ptr<Tile>> tiles;     /* in the order they joined */
  SpeakerPicker picker;
  std::string highlighted;
  bool quiet_toggles = false;   /* set_muted/set_camera_on: no callback */
  guint tick_id = 0;
  guint layout_idle_id = 0;
  std::string last_layout;

  /* Updates from other threads, applied by one idle callback on the main thread. */
  std::mutex lock;
  std::map<std::string, double> pending_levels;
  std::map<std::string, ParticipantState> pending_states;
  std::optional<std::string> pending_status;
  guint apply_id = 0;

  Tile *find (const std::string & name)
  {
    for (auto &tile : tiles)
      if (tile->name == name)
        return tile.get ();
    return nullptr;
  }

  void schedule_apply ()
  {
    /* Called with the lock held. */
    if (apply_id == 0)
      apply_id = g_idle_add (+[](gpointer data) -> gboolean {
            static_cast<Impl *> (data)->apply_pending ();
            return G_SOURCE_REMOVE;
          }, this);
  }

  void apply_pending ()
  {
    std::map<std::string, double> levels;
    std::map<std::string, ParticipantState> states;
    std::optional<std::string> status;
    {
      std::lock_guard<std::mutex> guard (lock);
      levels.swap (pending_levels);
      states.swap (pending_states);
      status.swap (pending_status);
      apply_id = 0;
    }
    int64_t now = g_get_monotonic_time ();
    for (auto &[name, db] : levels) {
      if (Tile * tile = find (name)) {
        gtk_level_bar_set_value (GTK_LEVEL_BAR (tile->level_bar), level_fraction (db));
        tile->level_at_us = now;
        picker.set_level (name, db, now);
      }
    }
    for (auto &[name, state] : states)
      if (Tile * tile = find (name))
        show_state (tile, state);
    if (status)
      gtk_label_set_text (GTK_LABEL (status_label), status->c_str ());
    update_speaker (now);
  }

  void show_state (Tile * tile, ParticipantState state)
  {
    tile->state = state;
    GtkStyleContext *style = gtk_widget_get_style_context (tile->root);
    if (state == ParticipantState::kLive) {
      gtk_widget_hide (tile->state_label);
      gtk_style_context_remove_class (style, "reconnecting");
      return;
    }
    gtk_label_set_text (GTK_LABEL (tile->state_label),
        state == ParticipantState::kReconnecting ? "reconnecting\xe2\x80\xa6" : "connecting\xe2\x80\xa6");
    gtk_widget_show (tile->state_label);
    if (state == ParticipantState::kReconnecting)
      gtk_style_context_add_class (style, "reconnecting");
    else
      gtk_style_context_remove_class (style, "reconnecting");
  }

  void update_speaker (int64_t now)
  {
    for (auto &tile : tiles)
      if (now - tile->level_at_us > kStaleLevelUs)
        gtk_level_bar_set_value (GTK_LEVEL_BAR (tile->level_bar), 0);
    const std::string &speaker = picker.speaker (now);
    if (speaker == highlighted)
      return;
    if (Tile * old = find (highlighted))
      gtk_style_context_remove_class (gtk_widget_get_style_context (old->root), "speaking");
    if (Tile * now_speaking = find (speaker))
      gtk_style_context_add_class (gtk_widget_get_style_context (now_speaking->root), "speaking");
    highlighted = speaker;
  }

  void relayout ()
  {
    for (size_t i = 0; i < tiles.size (); i++) {
      GridCell cell = grid_cell (i, tiles.size ());
      GtkWidget *root = tiles[i]->root;
      if (gtk_widget_get_parent (root) == nullptr)
        gtk_grid_attach (GTK_GRID (grid), root, cell.half_column, cell.row, 2, 1);
      else
        gtk_container_child_set (GTK_CONTAINER (grid), root, "left-attach", cell.half_column, "top-attach",
            cell.row, nullptr);
    }
    gtk_widget_set_visible (empty_label, tiles.empty ());
    gtk_widget_set_visible (grid, !tiles.empty ());
    gtk_widget_queue_resize (grid);
  }

  /* on_layout once the grid has its new allocation, and only when a tile moved. */
  void schedule_layout_report ()
  {
    if (layout_idle_id == 0)
      /* Just after GTK's own redraw: at a lower priority a busy main loop (four pictures at 30 fps on a
       * loaded machine) can put the report off for as long as the pictures keep coming. */
      layout_idle_id = g_idle_add_full (GDK_PRIORITY_REDRAW + 1, +[](gpointer data) -> gboolean {
            auto *self = static_cast<Impl *> (data);
            self->layout_idle_id = 0;
            self->report_layout ();
            return G_SOURCE_REMOVE;
          }, this, nullptr);
  }

  void report_layout ()
  {
    std::string key;
    for (auto &tile : tiles) {
      GtkAllocation a;
      gtk_widget_get_allocation (tile->root, &a);
      /* A tile just attached is not allocated yet: its own size-allocate reports again. */
      if (a.x < 0 || a.width <= 1)
        return;
      WindowRegion r = region_of (tile->root, window, "tile", tile->name);
      key += tile->name + "@" + std::to_string (r.x) + "," + std::to_string (r.y) + "," +
          std::to_string (r.width) + "," + std::to_string (r.height) + ";";
    }
    if (key == last_layout)
      return;
    last_layout = key;
    if (callbacks.on_layout)
      callbacks.on_layout ();
  }

  void on_toggled (GtkToggleButton * button)
  {
    bool active = gtk_toggle_button_get_active (button);
    bool is_mute = GTK_WIDGET (button) == mute_button;
    if (is_mute)
      gtk_button_set_label (GTK_BUTTON (button), active ? "Unmute (m)" : "Mute (m)");
    else
      gtk_button_set_label (GTK_BUTTON (button), active ? "Camera on (v)" : "Camera off (v)");
    update_self_note ();
    if (quiet_toggles)
      return;
    if (is_mute && callbacks.on_mute)
      callbacks.on_mute (active);
    else if (!is_mute && callbacks.on_camera)
      callbacks.on_camera (!active);
  }

  void update_self_note ()
  {
    bool is_muted = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (mute_button));
    bool camera_off = gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (camera_button));
    std::string note;
    if (camera_off)
      note = "camera off";
    if (is_muted)
      note += note.empty () ? "muted" : " \xc2\xb7 muted";
    gtk_label_set_text (GTK_LABEL (self_label), note.empty ()? "You" : ("You \xc2\xb7 " + note).c_str ());
    GtkStyleContext *style = gtk_widget_get_style_context (self_label);
    if (note.empty ())
      gtk_style_context_remove_class (style, "meet-self-note");
    else
      gtk_style_context_add_class (style, "meet-self-note");
  }

  bool press (const std::string & key)
  {
    auto flip = [](GtkWidget * toggle) {
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle),
          !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
    };
    auto call = [](const std::function<void ()> &f) {
      if (f)
        f ();
    };
    if (key == "m" || key == "mute")
      flip (mute_button);
    else if (key == "v" || key == "camera")
      flip (camera_button);
    else if (key == "s" || key == "setup")
      call (callbacks.on_setup);
    else if (key == "p" || key == "play")
      call (callbacks.on_play);
    else if (key == "space" || key == " " || key == "pause")
      call (callbacks.on_pause);
    else if (key == "t" || key == "teardown")
      call (callbacks.on_teardown);
    else if (key == "q" || key == "quit")
      call (callbacks.on_quit);
    else
      return false;
    return true;
  }

  void build (const std::string & title);
  GtkWidget *build_controls ();
};

void
MeetingWindow::Impl::build (const std::string & title)
{
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (css, kCss, -1, nullptr);
  gtk_style_context_add_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (css),
      GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  window = gtk_window_new (GTK_WINDOW_TOPLEVEL);
  gtk_style_context_add_class (gtk_widget_get_style_context (window), "meet-window");
  gtk_window_set_title (GTK_WINDOW (window), title.c_str ());
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 720);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_container_set_border_width (GTK_CONTAINER (box), 8);

  grid = gtk_grid_new ();
  gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 8);
  gtk_widget_set_vexpand (grid, TRUE);
  gtk_widget_set_hexpand (grid, TRUE);
  g_signal_connect_swapped (grid, "size-allocate", G_CALLBACK (+[](Impl * self) {
        self->schedule_layout_report ();
      }), this);
  gtk_box_pack_start (GTK_BOX (box), grid, TRUE, TRUE, 0);
  empty_label = gtk_label_new ("Waiting for others to join\xe2\x80\xa6");
  gtk_style_context_add_class (gtk_widget_get_style_context (empty_label), "meet-empty");
  gtk_box_pack_start (GTK_BOX (box), empty_label, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (box), build_controls (), FALSE, FALSE, 0);
  gtk_container_add (GTK_CONTAINER (window), box);

  g_signal_connect (window, "key-press-event", G_CALLBACK (+[](GtkWidget *, GdkEventKey * event,
              gpointer data) -> gboolean {
        const gchar *name = gdk_keyval_name (event->keyval);
        return name && static_cast<Impl *> (data)->press (name);
      }), this);
  g_signal_connect (window, "delete-event", G_CALLBACK (+[](GtkWidget *, GdkEvent *, gpointer data) -> gboolean {
        auto *self = static_cast<Impl *> (data);
        if (self->callbacks.on_quit)
          self->callbacks.on_quit ();
        return TRUE;
      }), this);
  tick_id = g_timeout_add (kTickMs, +[](gpointer data) -> gboolean {
        static_cast<Impl *> (data)->update_speaker (g_get_monotonic_time ());
        return G_SOURCE_CONTINUE;
      }, this);
  gtk_widget_show_all (box);
  relayout ();
  update_self_note ();
}

/* The bottom bar: the self-view on the left; the toggles, the session's buttons and the status line. */
GtkWidget *
MeetingWindow::Impl::build_controls ()
{
  GtkWidget *bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  GtkWidget *self_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_style_context_add_class (gtk_widget_get_style_context (self_box), "meet-self");
  /* The overlay's size is its main child's, a fixed 4:3 box: the picture goes on top of it (with the whole
   * area, below) so its own size, the camera's, does not make the self-view big. */
  self_overlay = gtk_overlay_new ();
  GtkWidget *self_size = gtk_label_new ("");
  gtk_widget_set_size_request (self_size, 192, 144);
  gtk_container_add (GTK_CONTAINER (self_overlay), self_size);
  self_placeholder = gtk_label_new ("no camera");
  gtk_overlay_add_overlay (GTK_OVERLAY (self_overlay), self_placeholder);
  g_signal_connect (self_overlay, "get-child-position", G_CALLBACK (+[](GtkOverlay * overlay, GtkWidget *,
              GdkRectangle * area, gpointer) -> gboolean {
        area->x = area->y = 0;
        area->width = gtk_widget_get_allocated_width (GTK_WIDGET (overlay));
        area->height = gtk_widget_get_allocated_height (GTK_WIDGET (overlay));
        return TRUE;
      }), nullptr);
  gtk_box_pack_start (GTK_BOX (self_box), self_overlay, TRUE, TRUE, 0);
  self_label = gtk_label_new ("You");
  gtk_box_pack_start (GTK_BOX (self_box), self_label, FALSE, FALSE, 2);
  gtk_widget_set_valign (self_box, GTK_ALIGN_END);
  gtk_box_pack_start (GTK_BOX (bar), self_box, FALSE, FALSE, 0);

  GtkWidget *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_valign (right, GTK_ALIGN_CENTER);
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (row, GTK_ALIGN_CENTER);
  mute_button = gtk_toggle_button_new_with_label ("Mute (m)");
  camera_button = gtk_toggle_button_new_with_label ("Camera off (v)");
  buttons = {{"m", mute_button}, {"v", camera_button}};
  for (GtkWidget *toggle : {mute_button, camera_button}) {
    gtk_style_context_add_class (gtk_widget_get_style_context (toggle), "meet-toggle");
    g_signal_connect (toggle, "toggled", G_CALLBACK (+[](GtkToggleButton * b, gpointer data) {
          static_cast<Impl *> (data)->on_toggled (b);
        }), this);
  }
  gtk_box_pack_start (GTK_BOX (row), mute_button, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), camera_button, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (row), gtk_separator_new (GTK_ORIENTATION_VERTICAL), FALSE, FALSE, 6);
  struct {
    const char *label;
    const char *key;
  } session[] = {
    {"SETUP (s)", "s"}, {"PLAY (p)", "p"}, {"PAUSE (space)", "space"}, {"TEARDOWN (t)", "t"},
  };
  for (auto &action : session) {
    GtkWidget *button = gtk_button_new_with_label (action.label);
    g_object_set_data (G_OBJECT (button), "meet-key", const_cast<char *> (action.key));
    g_signal_connect (button, "clicked", G_CALLBACK (+[](GtkButton * b, gpointer data) {
          static_cast<Impl *> (data)->press (static_cast<const char *> (g_object_get_data (G_OBJECT (b),
                      "meet-key")));
        }), this);
    gtk_box_pack_start (GTK_BOX (row), button, FALSE, FALSE, 0);
    buttons.emplace_back (action.key, button);
  }
  /* Keys belong to the shortcuts: a focused button would also take space. */
  for (auto &[key, button] : buttons)
    gtk_widget_set_can_focus (button, FALSE);
  gtk_box_pack_start (GTK_BOX (right), row, FALSE, FALSE, 0);
  status_label = gtk_label_new ("connecting\xe2\x80\xa6");
  gtk_label_set_ellipsize (GTK_LABEL (status_label), PANGO_ELLIPSIZE_END);
  gtk_box_pack_start (GTK_BOX (right), status_label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (bar), right, TRUE, TRUE, 0);
  return bar;
}

MeetingWindow::MeetingWindow (const std::string & title, MeetingWindowCallbacks callbacks)
  : impl_ (std::make_unique<Impl> ())
{
  impl_->callbacks = std::move (callbacks);
  impl_->build (title);
}

MeetingWindow::~MeetingWindow ()
{
  Impl &d = *impl_;
  {
    std::lock_guard<std::mutex> guard (d.lock);
    if (d.apply_id)
      g_source_remove (d.apply_id);
    d.apply_id = 0;
  }
  if (d.layout_idle_id)
    g_source_remove (d.layout_idle_id);
  g_source_remove (d.tick_id);
  /* Unparent the pictures first: destroying them would tell their sinks the window was closed, an error. */
  while (!d.tiles.empty ())
    remove_participant (d.tiles.back ()->name);
  set_self_view (nullptr);
  gtk_widget_destroy (d.window);
  gtk_style_context_remove_provider_for_screen (gdk_screen_get_default (), GTK_STYLE_PROVIDER (d.css));
  g_object_unref (d.css);
}

GtkWidget *
MeetingWindow::window () const
{
  return impl_->window;
}

void
MeetingWindow::show ()
{
  gtk_widget_show (impl_->window);
}

void
MeetingWindow::add_participant (const std::string & name, GtkWidget * video)
{
  Impl &d = *impl_;
  if (Tile * existing = d.find (name)) {
    gtk_container_remove (GTK_CONTAINER (existing->overlay), existing->video);
    g_object_unref (existing->video);
    existing->video = GTK_WIDGET (g_object_ref (video));
    gtk_container_add (GTK_CONTAINER (existing->overlay), video);
    gtk_widget_show (video);
    return;
  }
  auto tile = std::make_unique<Tile> ();
  tile->name = name;
  tile->root = GTK_WIDGET (g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0)));
  gtk_style_context_add_class (gtk_widget_get_style_context (tile->root), "meet-tile");
  tile->overlay = gtk_overlay_new ();
  gtk_widget_set_size_request (tile->overlay, 160, 120);
  tile->video = GTK_WIDGET (g_object_ref (video));
  gtk_widget_set_hexpand (video, TRUE);
  gtk_widget_set_vexpand (video, TRUE);
  gtk_container_add (GTK_CONTAINER (tile->overlay), video);
  tile->state_label = gtk_label_new ("");
  gtk_style_context_add_class (gtk_widget_get_style_context (tile->state_label), "meet-state");
  gtk_widget_set_halign (tile->state_label, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (tile->state_label, GTK_ALIGN_CENTER);
  gtk_widget_set_no_show_all (tile->state_label, TRUE);
  gtk_overlay_add_overlay (GTK_OVERLAY (tile->overlay), tile->state_label);
  gtk_box_pack_start (GTK_BOX (tile->root), tile->overlay, TRUE, TRUE, 0);

  GtkWidget *footer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_style_context_add_class (gtk_widget_get_style_context (footer), "meet-tile-footer");
  tile->name_label = gtk_label_new (name.c_str ());
  gtk_style_context_add_class (gtk_widget_get_style_context (tile->name_label), "meet-name");
  gtk_label_set_ellipsize (GTK_LABEL (tile->name_label), PANGO_ELLIPSIZE_END);
  gtk_box_pack_start (GTK_BOX (footer), tile->name_label, FALSE, FALSE, 0);
  tile->level_bar = gtk_level_bar_new_for_interval (0, 1);
  /* One colour for the whole bar: the theme's low/high/full offsets would paint quiet speech orange. */
  for (const char *offset : {GTK_LEVEL_BAR_OFFSET_LOW, GTK_LEVEL_BAR_OFFSET_HIGH, GTK_LEVEL_BAR_OFFSET_FULL})
    gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (tile->level_bar), offset);
  gtk_style_context_add_class (gtk_widget_get_style_context (tile->level_bar), "meet-level");
  gtk_widget_set_valign (tile->level_bar, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (tile->level_bar, 60, -1);
  gtk_box_pack_end (GTK_BOX (footer), tile->level_bar, TRUE, TRUE, 0);
  gtk_box_pack_start (GTK_BOX (tile->root), footer, FALSE, FALSE, 0);
  gtk_widget_show_all (tile->root);
  /* The grid may be allocated before a new tile is: the tile's own allocation reports the layout then. */
  g_signal_connect_swapped (tile->root, "size-allocate", G_CALLBACK (+[](Impl * self) {
        self->schedule_layout_report ();
      }), &d);
  d.tiles.push_back (std::move (tile));
  d.relayout ();
}

void
MeetingWindow::remove_participant (const std::string & name)
{
  Impl &d = *impl_;
  auto it = std::find_if (d.tiles.begin (), d.tiles.end (), [&](auto &t) { return t->name == name; });
  if (it == d.tiles.end ())
    return;
  Tile &tile = **it;
  gtk_container_remove (GTK_CONTAINER (tile.overlay), tile.video);
  g_object_unref (tile.video);
  gtk_container_remove (GTK_CONTAINER (d.grid), tile.root);
  g_object_unref (tile.root);
  d.picker.remove (name);
  if (d.highlighted == name)
    d.highlighted.clear ();
  d.tiles.erase (it);
  d.relayout ();
}

std::vector<std::string>
MeetingWindow::participants () const
{
  std::vector<std::string> names;
  for (auto &tile : impl_->tiles)
    names.push_back (tile->name);
  return names;
}

void
MeetingWindow::set_self_view (GtkWidget * video)
{
  Impl &d = *impl_;
  if (d.self_video) {
    gtk_container_remove (GTK_CONTAINER (d.self_overlay), d.self_video);
    g_object_unref (d.self_video);
    d.self_video = nullptr;
  } else if (d.self_placeholder) {
    gtk_widget_destroy (d.self_placeholder);
    d.self_placeholder = nullptr;
  }
  if (video) {
    d.self_video = GTK_WIDGET (g_object_ref (video));
  } else {
    d.self_placeholder = gtk_label_new ("no camera");
    video = d.self_placeholder;
  }
  gtk_overlay_add_overlay (GTK_OVERLAY (d.self_overlay), video);
  gtk_widget_show (video);
}

void
MeetingWindow::set_level (const std::string & name, double db)
{
  Impl &d = *impl_;
  std::lock_guard<std::mutex> guard (d.lock);
  d.pending_levels[name] = db;
  d.schedule_apply ();
}

void
MeetingWindow::set_state (const std::string & name, ParticipantState state)
{
  Impl &d = *impl_;
  std::lock_guard<std::mutex> guard (d.lock);
  d.pending_states[name] = state;
  d.schedule_apply ();
}

void
MeetingWindow::set_status (const std::string & text)
{
  Impl &d = *impl_;
  std::lock_guard<std::mutex> guard (d.lock);
  d.pending_status = text;
  d.schedule_apply ();
}

void
MeetingWindow::set_muted (bool is_muted)
{
  impl_->quiet_toggles = true;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (impl_->mute_button), is_muted);
  impl_->quiet_toggles = false;
}

void
MeetingWindow::set_camera_on (bool on)
{
  impl_->quiet_toggles = true;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (impl_->camera_button), !on);
  impl_->quiet_toggles = false;
}

bool
MeetingWindow::muted () const
{
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (impl_->mute_button));
}

bool
MeetingWindow::camera_on () const
{
  return !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (impl_->camera_button));
}

bool
MeetingWindow::press (const std::string & key)
{
  return impl_->press (key);
}

std::string
MeetingWindow::speaker () const
{
  return impl_->highlighted;
}

std::vector<WindowRegion>
MeetingWindow::regions () const
{
  const Impl &d = *impl_;
  std::vector<WindowRegion> out;
  for (auto &tile : d.tiles) {
    WindowRegion r = region_of (tile->root, d.window, "tile", tile->name);
    r.speaking = tile->name == d.highlighted;
    r.state = tile->state;
    r.level = gtk_level_bar_get_value (GTK_LEVEL_BAR (tile->level_bar));
    out.push_back (r);
    out.push_back (region_of (tile->name_label, d.window, "name", tile->name));
  }
  out.push_back (region_of (d.self_overlay, d.window, "self-view", "you"));
  out.push_back (region_of (d.self_label, d.window, "self-label", gtk_label_get_text (GTK_LABEL (d.self_label))));
  for (auto &[key, button] : d.buttons)
    out.push_back (region_of (button, d.window, "button", key));
  return out;
}

const char *
participant_state_name (ParticipantState state)
{
  switch (state) {
    case ParticipantState::kLive:
      return "live";
    case ParticipantState::kConnecting:
      return "connecting";
    case ParticipantState::kReconnecting:
      return "reconnecting";
  }
  return "unknown";
}

}  // namespace meet
