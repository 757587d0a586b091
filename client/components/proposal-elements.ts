/*
 * The elements a thread page shows its proposals with: the panel and bar of
 * open ones, each proposal's card (or the line a closed one collapses to),
 * and stated outcomes. A thread that is all talk never loads them; the first
 * proposal it shows loads them all at once (thread-timeline.ts), so they
 * appear together rather than one after another.
 */
import './pl-closed-proposal';
import './pl-open-proposals';
import './pl-open-proposals-bar';
import './pl-outcome';
import './pl-proposal-card';
