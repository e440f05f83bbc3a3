"""The Region page: a regional workspace's returns, its children seen across borders (by
pseudonym), regional flags, funnel plots of schools' practice and the Year 10 to 11 losses
(docs/regional.md). In an authority's own database it says how to open a workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QLayout, QScrollArea, QWidget

from exclusion_monitor.reports.tables import Column, ColumnKind, ReportTable
from exclusion_monitor.roles import Action
from exclusion_monitor.rules import rule_label
from ui.app import messages
from ui.app.background import BackgroundJob, ProgressBar, run_in_background
from ui.app.chart_panel import ChartPanel
from ui.app.pages.base import AppContext, Page
from ui.app.practice_charts import PracticeChart, outside_summary, practice_charts

NOT_A_WORKSPACE = (
    "This database is an authority's own. The Region page shows a regional workspace: open the "
    "region's database (exclusion-monitor --db REGION_DB), into which the authorities' "
    "pseudonymised returns are imported with 'region import'."
)


@dataclass(frozen=True, slots=True)
class RegionContent:
    workspace: bool
    summary: str = ""
    charts: tuple[PracticeChart, ...] = ()


def region_content(db: Any, account: str) -> RegionContent:
    """Everything the page shows (runs in the background; no Qt)."""
    from exclusion_monitor.regional.journeys import regional_children
    from exclusion_monitor.regional.workspace import ensure_region_current
    from exclusion_monitor.reports.practice_report import region_figures
    from exclusion_monitor.store import regional_workspace as ws

    with db.read() as conn:
        if not ws.holds_returns(conn):
            return RegionContent(False)
    ensure_region_current(db, account)
    figures = region_figures(db)
    children = regional_children(db)
    cross = [c for c in children if len(c.authorities) > 1]
    flagged = [c for c in children if c.seen_only_regionally]
    returns = ReportTable(
        "Source returns",
        [Column("LA"), Column("Authority"), Column("As of"), Column("Made"),
         Column("Children", ColumnKind.INTEGER)],
        [[s["authority"], s["name"], s["as_of"], s["made_at"][:16].replace("T", " "),
          s["children"]] for s in figures.sources],
    )  # fmt: skip
    journeys = ReportTable(
        "Children seen in more than one authority",
        [Column("Pseudonym"), Column("Authorities"), Column("Schools", ColumnKind.INTEGER),
         Column("Regional flags"), Column("Flagged only regionally")],
        [[c.pseudonym, " ".join(c.authorities), len(c.schools),
          ", ".join(rule_label(r) for r in c.regional_flags),
          ", ".join(rule_label(r) for r in c.seen_only_regionally)]
         for c in sorted(cross, key=lambda c: (-len(c.regional_flags), c.pseudonym))],
    )  # fmt: skip
    summary = (
        f"<b>{figures.year.label}</b>, as of {figures.as_of:%d/%m/%Y}: {len(children):,} "
        f"children from {len(figures.sources)} authorities' returns, {len(cross):,} seen in more "
        f"than one authority, {len(flagged):,} with a flag no authority raised on its own data. "
        f"Schools: {outside_summary(figures)}"
    )
    charts = [
        PracticeChart("Source returns", None, returns, "Show as table to see the returns."),
        PracticeChart("Children across borders", None, journeys,
                      "Show as table to see the children seen in more than one authority."),
        *practice_charts(figures),
    ]  # fmt: skip
    return RegionContent(True, summary, tuple(charts))


class RegionPage(Page):
    TITLE = "Region"
    LOADS_WHEN_FIRST_SHOWN = True
    REQUIRES = Action.VIEW_DASHBOARD

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.content: RegionContent | None = None
        self._job: BackgroundJob | None = None
        self.summary = QLabel("Loading the region...")
        self.summary.setWordWrap(True)
        self.progress = ProgressBar()
        self.progress.setMaximumWidth(180)
        self.layout_.addWidget(self.summary)
        self.layout_.addWidget(self.progress)
        self.panels: list[ChartPanel] = []
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setFrameShape(QFrame.Shape.NoFrame)
        self.area.setWidget(self.grid_host)
        self.layout_.addWidget(self.area, 1)

    def refresh(self) -> None:
        if self._job is not None and self._job.is_running():
            return
        db, account = self.db, self.context.account
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self._job = run_in_background(
            lambda _progress: region_content(db, account),
            self._show,
            self._failed,
            owner=self,
            writes=True,
            name="region",
        )

    def _failed(self, error: BaseException) -> None:
        self.progress.setVisible(False)
        messages.show_error(self, "Region", f"The regional page could not be built: {error}")

    def _show(self, content: RegionContent) -> None:
        self.content = content
        self.progress.setVisible(False)
        if not content.workspace:
            self.summary.setText(NOT_A_WORKSPACE)
            return
        self.summary.setText(content.summary)
        while len(self.panels) < len(content.charts):
            self.panels.append(ChartPanel(content.charts[len(self.panels)].title))
        for number, (panel, chart) in enumerate(zip(self.panels, content.charts, strict=False)):
            panel.set_content(chart.figure, chart.table, chart.empty_text)
            if chart.figure is None:
                panel.table_toggle.setChecked(True)
            self.grid.addWidget(panel, number, 0)

    def panel(self, title: str) -> ChartPanel:
        return next(p for p in self.panels if p.title.text() == f"<b>{title}</b>")
