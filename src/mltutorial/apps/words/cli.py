"""`mltutorial words train|translate`: learn English and Spanish word maps and translate with them."""

from __future__ import annotations

from mltutorial.clitools import Parser, add_json, add_seed, dispatch, output_file, print_json


def _train(argv: list[str], prog: str) -> int:
    from mltutorial import data
    from mltutorial.apps.words.model import METHODS, WordMap

    parser = Parser(
        prog=prog, description="Learn word vectors in each language and the map between them."
    )
    parser.add_argument("--method", choices=METHODS, default="ppmi", help="how vectors are learned")
    parser.add_argument("--vocab", type=int, default=5000, help="words kept per language")
    parser.add_argument("--dim", type=int, default=100, help="vector dimensions")
    parser.add_argument(
        "--data", help="folder with the two books (default: the registry's corpora_en_es)"
    )
    parser.add_argument("-o", "--output", help="save the word map to this .npz file")
    add_seed(parser)
    add_json(parser)
    args = parser.parse_args(argv)
    if args.vocab < 100 or args.dim < 2:
        parser.error("--vocab must be at least 100 and --dim at least 2")
    output_file(args.output)  # a bad path fails now, not after training
    from mltutorial.apps.words import fallback

    corpus = data.load_en_es(args.data)
    model = WordMap(method=args.method, vocab_size=args.vocab, dim=args.dim, seed=args.seed)
    label = corpus.info.label
    if corpus.info.is_fallback:
        en, es, pairs = fallback.corpus(args.seed)
        model.fit(en, es, pairs)
        label = fallback.LABEL
    else:
        model.fit(corpus.en, corpus.es, data.load_dictionary("en-es").pairs)
    score = model.score()
    if args.output:
        model.save(args.output)
    result = {
        "data": label,
        "method": args.method,
        "test_words": score.n_pairs,
        "precision_at_1": score.precision_at_1,
        "precision_at_5": score.precision_at_5,
        "fit_seconds": model.fit_seconds_,
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"en→es on {score.n_pairs} held-out words: precision@1 {score.precision_at_1:.1%}, "
            f"@5 {score.precision_at_5:.1%} ({label})"
        )
        if args.output:
            print(f"saved: {args.output}")
    return 0


def _translate(argv: list[str], prog: str) -> int:
    from mltutorial.apps.words.model import WordMap

    parser = Parser(prog=prog, description="Translate English words with a saved word map.")
    parser.add_argument("words", nargs="+", help="English words")
    parser.add_argument("--model-file", required=True, help="a map saved by 'words train -o'")
    parser.add_argument("-k", type=int, default=5, help="guesses per word")
    add_json(parser)
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("-k must be at least 1")
    model = WordMap.load(args.model_file)
    results = {w: model.translate(w, args.k) for w in args.words}
    if args.json:
        print_json({w: [{"word": t, "cosine": c} for t, c in r] for w, r in results.items()})
    else:
        for w, r in results.items():
            print(f"{w}: " + ", ".join(f"{t} ({c:.2f})" for t, c in r))
    return 0


def main(argv: list[str], prog: str) -> int:
    return dispatch(
        argv,
        prog,
        "Google Translate's word maps: English ↔ Spanish.",
        {"train": _train, "translate": _translate},
    )
