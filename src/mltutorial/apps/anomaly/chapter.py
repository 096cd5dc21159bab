"""Tour chapter: unsupervised anomaly detection, fraud/intrusion and novel particles."""

from __future__ import annotations

from mltutorial.chapter import (
    ORDER_HOW_MACHINES_LEARN,
    Chapter,
    ChapterContext,
    ChapterOutput,
    Table,
)

LABELS = {
    "gaussian": "Gaussian (Mahalanobis)",
    "isolation_forest": "IsolationForest (scikit-learn)",
    "autoencoder": "autoencoder (engine)",
}


def _plot(experiments, path):
    from mltutorial import viz

    fig, axes = viz.figure(ncols=len(experiments), width=4.4, height=4.0)
    axes = axes if len(experiments) > 1 else [axes]
    for ax, exp in zip(axes, experiments):
        for key, (fpr, tpr) in exp.roc.items():
            ax.plot(fpr, tpr, label=f"{LABELS[key]}: AUC {exp.auc[key]:.3f}")
        if exp.supervised_auc is not None:
            ax.plot([], [], " ", label=f"(with labels, engine MLP: AUC {exp.supervised_auc:.3f})")
        ax.plot([0, 1], [0, 1], color="grey", ls=":", lw=1, label="chance: AUC 0.5")
        ax.set(
            xlabel="false alarm rate (normal flagged)",
            ylabel="detection rate (anomalies flagged)",
            title=exp.name,
        )
        ax.legend(loc="lower right", fontsize=8)
    return viz.save(fig, path, title="Anomaly detection: learn normal, flag the rest")


def _run(ctx: ChapterContext) -> ChapterOutput:
    from mltutorial.apps.anomaly.experiments import fraud, particles

    experiments = [fraud(ctx.seed, ctx.quick), particles(ctx.seed, ctx.quick)]
    figure = _plot(experiments, ctx.out_dir / "anomaly_roc.png")
    rows = [
        [exp.name, LABELS[k], exp.auc[k], exp.ap[k], exp.seconds[k]]
        for exp in experiments
        for k in exp.auc
    ]
    rows += [
        [
            exp.name,
            "supervised MLP (engine), WITH labels",
            exp.supervised_auc,
            None,
            exp.seconds["supervised"],
        ]
        for exp in experiments
        if exp.supervised_auc is not None
    ]
    best = {exp.name: max(exp.auc, key=exp.auc.get) for exp in experiments}
    summary = "; ".join(
        f"{exp.name.split(' (')[0]} AUC {exp.auc[best[exp.name]]:.3f} ({best[exp.name]})"
        for exp in experiments
    )
    return ChapterOutput(
        summary=summary,
        numbers={
            exp.name: {
                "n_train": exp.n_train,
                "n_test": exp.n_test,
                "anomaly_rate": exp.anomaly_rate,
                "roc_auc": exp.auc,
                "average_precision": exp.ap,
                "seconds": exp.seconds,
                "supervised_reference_auc": exp.supervised_auc,
            }
            for exp in experiments
        },
        figures=[figure],
        data=" + ".join(exp.data for exp in experiments),
        citation=" | ".join(exp.citation for exp in experiments if exp.citation),
        licence="; ".join(sorted({exp.licence for exp in experiments if exp.licence})),
        text=(
            "Unsupervised learning is data-driven: no one labels the fraud. Each detector learns what "
            "normal looks like and scores how unusual every new point is; labels are used only to "
            "grade the ranking (ROC-AUC: 1 means every anomaly was ranked above every normal point).\n\n"
            "Fraud / intrusion: KDD Cup 99 connections, an unlabelled mix with 2% attacks; the detectors "
            "fit one half and rank the other. Novel particles: detectors learn background HIGGS collision "
            "events only and must flag the signal of a new process among held-out events.\n\n"
            "The honest result: the heavy-Higgs signal is not an outlier. It sits inside the dense part "
            "of the background, so every unsupervised score stays near chance (AUC about 0.5), while a "
            "network trained with labels (signal simulated by physicists) does find it. That is why the "
            "search for new particles leans on simulation: anomaly detection finds the rare and strange, "
            "not the new-but-ordinary-looking."
        ),
        tables=[
            Table(
                "Anomaly detectors side by side",
                ["experiment", "detector", "ROC-AUC", "average precision", "seconds"],
                rows,
            )
        ],
    )


CHAPTER = Chapter(
    name="anomaly",
    title="Anomaly detection: fraud and novel particles",
    slide="Unsupervised → Data-driven → Anomaly detection: fraud detection, novel particle detection",
    order=ORDER_HOW_MACHINES_LEARN + 2,
    command="mltutorial anomaly evaluate --dataset all",
    run=_run,
)
